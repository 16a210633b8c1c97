package dev.symmim.transforms.images;

/** How the input images are laid out. */
public enum ImageFormat {
  /** Decide from the file names: IDX if any {@code *idx3-ubyte*}, CIFAR if any CIFAR batch, else folder. */
  auto,
  /** Image files (JPEG, PNG, BMP, GIF); the label is the parent folder's name, none at the root. */
  folder,
  /** IDX image files (MNIST, Fashion-MNIST) with their {@code *idx1-ubyte*} label files. */
  idx,
  /** CIFAR-10/100 binary batches ({@code data_batch_N.bin}, {@code test_batch.bin}, {@code train.bin}, {@code test.bin}). */
  cifar
}
