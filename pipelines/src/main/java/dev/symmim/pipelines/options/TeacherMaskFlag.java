package dev.symmim.pipelines.options;

import dev.symmim.model.config.Masking;

/** {@code --teacherMask}: the momentum encoder sees view 2 with its block mask M2 (METHOD.md) or unmasked. */
public enum TeacherMaskFlag {
  block(Masking.TeacherMask.BLOCK), none(Masking.TeacherMask.NONE);

  public final Masking.TeacherMask mask;

  TeacherMaskFlag(Masking.TeacherMask mask) {
    this.mask = mask;
  }
}
