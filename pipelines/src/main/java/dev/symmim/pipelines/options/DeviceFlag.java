package dev.symmim.pipelines.options;

import dev.symmim.model.config.DeviceKind;

/** {@code --device}: auto (GPU when present), cpu or gpu (fails without one). */
public enum DeviceFlag {
  auto(DeviceKind.AUTO), cpu(DeviceKind.CPU), gpu(DeviceKind.GPU);

  public final DeviceKind kind;

  DeviceFlag(DeviceKind kind) {
    this.kind = kind;
  }
}
