package dev.symmim.model.infer;

/** Which encoder of a checkpoint to embed with (METHOD.md: the online one is evaluated, the EMA one reported too). */
public enum Branch {
  ONLINE("online/"),
  MOMENTUM("momentum/");

  final String prefix;

  Branch(String prefix) {
    this.prefix = prefix;
  }
}
