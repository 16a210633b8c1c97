package dev.symmim.model.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.symmim.model.vit.StepContext;
import dev.symmim.model.vit.VisionTransformer;
import dev.symmim.model.vit.VitSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How one vector is read out of a frozen encoder (METHOD.md section 7): one part or several
 * concatenated ({@code cls+grid2}). Every part is taken after the final LayerNorm.
 *
 * @param parts in the order they are concatenated
 */
public record Readout(List<Part> parts) implements Serializable {
  /** One read-out. */
  public enum Part {
    /** The CLS token (METHOD.md's k-NN protocol, the default). */
    CLS("cls"),
    /** The CLS tokens of the last 4 blocks (each through the final LayerNorm), concatenated (DINO's linear eval). */
    LAST4("last4"),
    /** The mean of the patch tokens. */
    MEAN("mean"),
    /** The patch tokens averaged over a 2x2 grid of cells, keeping the layout (4 x D). */
    GRID2("grid2"),
    /** The patch tokens averaged over a 4x4 grid of cells (16 x D). */
    GRID4("grid4");

    private final String flag;

    Part(String flag) {
      this.flag = flag;
    }

    public String flag() {
      return flag;
    }

    /** Width of this part for {@code spec}. */
    int size(VitSpec spec) {
      return switch (this) {
        case CLS, MEAN -> spec.dim();
        case LAST4 -> Math.min(4, spec.depth()) * spec.dim();
        case GRID2 -> 4 * spec.dim();
        case GRID4 -> 16 * spec.dim();
      };
    }
  }

  public static final Readout CLS = new Readout(List.of(Part.CLS));

  public Readout {
    if (parts == null || parts.isEmpty()) {
      throw new IllegalArgumentException("a read-out needs at least one part");
    }
    parts = List.copyOf(parts);
  }

  /** Parses {@code cls}, {@code grid2}, {@code cls+grid2}, ...; unknown parts are refused naming the choices. */
  public static Readout parse(String text) {
    List<Part> parts = new ArrayList<>();
    for (String name : text.trim().toLowerCase(Locale.ROOT).split("\\+")) {
      Part found = null;
      for (Part p : Part.values()) {
        if (p.flag.equals(name.trim())) {
          found = p;
        }
      }
      if (found == null) {
        throw new IllegalArgumentException("unknown read-out '" + name.trim() + "' in '" + text
            + "': parts are cls, last4, mean, grid2, grid4, joined by + (e.g. cls+grid2)");
      }
      parts.add(found);
    }
    return new Readout(parts);
  }

  /** The read-out as its flag value, e.g. {@code cls+grid2}. */
  public String flag() {
    return String.join("+", parts.stream().map(Part::flag).toList());
  }

  /** Vector length for an encoder of {@code spec}; refuses a grid the patch grid cannot be cut into. */
  public int size(VitSpec spec) {
    int n = 0;
    for (Part p : parts) {
      check(p, spec);
      n += p.size(spec);
    }
    return n;
  }

  private static void check(Part p, VitSpec spec) {
    int cells = p == Part.GRID2 ? 2 : p == Part.GRID4 ? 4 : 1;
    int grid = spec.grid().rows();
    if (grid % cells != 0 || spec.grid().cols() != grid) {
      throw new IllegalArgumentException("read-out " + p.flag() + " needs a square patch grid divisible by " + cells
          + "; the encoder's is " + spec.grid().rows() + "x" + spec.grid().cols());
    }
  }

  /** {@code (N, size)} vectors from an encoder pass ({@link VisionTransformer#encode}). */
  public NDArray read(StepContext ctx, VisionTransformer encoder, VisionTransformer.Encoded encoded) {
    VitSpec spec = encoder.spec();
    NDList out = new NDList();
    for (Part p : parts) {
      check(p, spec);
      out.add(switch (p) {
        case CLS -> VisionTransformer.cls(encoded.tokens());
        case MEAN -> VisionTransformer.patchTokens(encoded.tokens()).mean(new int[] {1});
        case LAST4 -> last4(ctx, encoder, encoded.hiddenStates());
        case GRID2 -> grid(VisionTransformer.patchTokens(encoded.tokens()), spec, 2);
        case GRID4 -> grid(VisionTransformer.patchTokens(encoded.tokens()), spec, 4);
      });
    }
    return out.size() == 1 ? out.get(0) : NDArrays.concat(out, 1);
  }

  private static NDArray last4(StepContext ctx, VisionTransformer encoder, List<NDArray> hidden) {
    NDList cls = new NDList();
    for (int b = Math.max(0, hidden.size() - 4); b < hidden.size(); b++) {
      cls.add(VisionTransformer.cls(encoder.finalNorm(ctx, hidden.get(b))));
    }
    return cls.size() == 1 ? cls.get(0) : NDArrays.concat(cls, 1);
  }

  /** Patch tokens {@code (N, g*g, D)} averaged over {@code cells x cells} cells, row-major: {@code (N, cells*cells*D)}. */
  static NDArray grid(NDArray patchTokens, VitSpec spec, int cells) {
    long n = patchTokens.getShape().get(0);
    int g = spec.grid().rows();
    int d = spec.dim();
    int w = g / cells;
    // DJL's PyTorch mean takes one axis at a time.
    NDArray x = patchTokens.reshape(n, cells, w, cells, w, d).mean(new int[] {4}).mean(new int[] {2});
    return x.reshape(n, (long) cells * cells * d);
  }
}
