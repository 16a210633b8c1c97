package dev.symmim.model.config;

import com.google.gson.annotations.JsonAdapter;
import dev.symmim.model.masking.MaskKind;
import dev.symmim.model.masking.Parity;

/**
 * The masks (METHOD.md section 1): SymMIM's symmetric pair (M1 patch checkerboard, M2 block
 * checkerboard of {@code block} patches, parity fixed or random) or an ablation baseline (MAE-style
 * random patches at {@code randomRatio}, SimMIM-style random blocks of {@code randomBlock} patches at
 * {@code blockRatio}). {@code teacherMask} says whether the momentum encoder sees its mask (M2 or the
 * baseline's second mask; METHOD.md) or the unmasked view 2; the masks are drawn either way, so the
 * RNG stream does not depend on it.
 */
public record Masking(MaskKind kind, Parity parity, int block, double randomRatio, int randomBlock, double blockRatio,
    TeacherMask teacherMask) {
  /** What the momentum (teacher) encoder's input is masked with. */
  @JsonAdapter(StrictEnumAdapter.class)
  public enum TeacherMask {
    /** The momentum mask of the pair: M2 for the symmetric masks (METHOD.md). */
    BLOCK,
    /** No mask: the teacher sees the whole of view 2. */
    NONE
  }

  /** {@code teacherMask} null (a config.json written before the field existed) means {@link TeacherMask#BLOCK}. */
  public Masking {
    Checks.check(kind != null && parity != null, "mask kind and parity must be set");
    Checks.check(block > 0, "maskBlock must be > 0, got " + block);
    Checks.check(randomBlock > 0, "randomMaskBlock must be > 0, got " + randomBlock);
    Checks.check(randomRatio > 0 && randomRatio < 1, "randomMaskRatio must be in (0,1), got " + randomRatio);
    Checks.check(blockRatio > 0 && blockRatio < 1, "blockMaskRatio must be in (0,1), got " + blockRatio);
    teacherMask = teacherMask == null ? TeacherMask.BLOCK : teacherMask;
  }

  /** The given masks, the teacher's input masked. */
  public Masking(MaskKind kind, Parity parity, int block, double randomRatio, int randomBlock, double blockRatio) {
    this(kind, parity, block, randomRatio, randomBlock, blockRatio, TeacherMask.BLOCK);
  }

  /** SymMIM as in the paper: symmetric masks, parity 0, k = 2 (baselines at MAE's 0.75 and SimMIM's 0.6), masked teacher. */
  public static Masking symmetric() {
    return new Masking(MaskKind.SYMMETRIC, Parity.FIXED, 2, 0.75, 2, 0.6, TeacherMask.BLOCK);
  }

  public Masking withKind(MaskKind v) {
    return new Masking(v, parity, block, randomRatio, randomBlock, blockRatio, teacherMask);
  }

  public Masking withParity(Parity v) {
    return new Masking(kind, v, block, randomRatio, randomBlock, blockRatio, teacherMask);
  }

  public Masking withRandomRatio(double v) {
    return new Masking(kind, parity, block, v, randomBlock, blockRatio, teacherMask);
  }

  public Masking withTeacherMask(TeacherMask v) {
    return new Masking(kind, parity, block, randomRatio, randomBlock, blockRatio, v);
  }
}
