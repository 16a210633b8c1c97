package dev.symmim.model.masking;

/** An image cut into {@code rows x cols} patches; patch (i, j) is row i, column j, 0-based. */
public record PatchGrid(int rows, int cols) {
  public PatchGrid {
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException("grid must be positive, got " + rows + "x" + cols);
    }
  }

  /** The grid of an image of {@code height x width} pixels cut in {@code patch x patch} patches. */
  public static PatchGrid of(int height, int width, int patch) {
    if (patch <= 0 || height % patch != 0 || width % patch != 0) {
      throw new IllegalArgumentException(
          "image " + height + "x" + width + " is not divisible by patch size " + patch);
    }
    return new PatchGrid(height / patch, width / patch);
  }

  public int size() {
    return rows * cols;
  }

  public int index(int i, int j) {
    return i * cols + j;
  }
}
