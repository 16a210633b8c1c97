package dev.symmim.transforms.images;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded mutations of a file's bytes for fuzz tests: the same (seed, case) always gives the same
 * bytes, so a failing case can be replayed from the numbers in its message.
 */
final class ByteMutator {
  /** The kinds of damage; {@link #header} lands in the first 64 bytes, where sizes and tags live. */
  enum Kind {
    bitFlips, byteOverwrite, truncate, zeroRange, header, duplicateRange
  }

  /** A mutated copy and what was done to it, for a failure message. */
  record Mutation(Kind kind, String detail, byte[] bytes) {}

  private ByteMutator() {}

  /** Case {@code index} of the run seeded with {@code seed}: the kinds in turn, details at random. */
  static Mutation mutate(byte[] original, long seed, int index) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index);
    Kind kind = Kind.values()[index % Kind.values().length];
    byte[] b = original.clone();
    int n = b.length;
    switch (kind) {
      case bitFlips -> {
        int flips = 1 + random.nextInt(8);
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < flips; i++) {
          int pos = random.nextInt(n);
          int bit = random.nextInt(8);
          b[pos] ^= (byte) (1 << bit);
          at.append(i == 0 ? "" : ",").append(pos).append('.').append(bit);
        }
        return new Mutation(kind, "bits " + at, b);
      }
      case byteOverwrite -> {
        int count = 1 + random.nextInt(4);
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < count; i++) {
          int pos = random.nextInt(n);
          int value = random.nextInt(4) == 0 ? 0xff : random.nextInt(256);
          b[pos] = (byte) value;
          at.append(i == 0 ? "" : ",").append(pos).append('=').append(value);
        }
        return new Mutation(kind, "bytes " + at, b);
      }
      case truncate -> {
        int length = random.nextInt(n);
        return new Mutation(kind, "cut to " + length + " of " + n, Arrays.copyOf(b, length));
      }
      case zeroRange -> {
        int from = random.nextInt(n);
        int to = Math.min(n, from + 1 + random.nextInt(64));
        Arrays.fill(b, from, to, (byte) 0);
        return new Mutation(kind, "zeroed " + from + ".." + to, b);
      }
      case header -> {
        // Sizes, bit depths, chunk lengths and markers: a byte of the header set to an extreme.
        int pos = random.nextInt(Math.min(n, 64));
        int[] extremes = {0x00, 0x01, 0x7f, 0x80, 0xff};
        int value = extremes[random.nextInt(extremes.length)];
        b[pos] = (byte) value;
        return new Mutation(kind, "header byte " + pos + "=" + value, b);
      }
      case duplicateRange -> {
        // A block repeated in place, as a bad copy or a resumed download might leave it.
        int from = random.nextInt(n);
        int length = Math.min(n - from, 1 + random.nextInt(256));
        byte[] out = new byte[n + length];
        System.arraycopy(b, 0, out, 0, from + length);
        System.arraycopy(b, from, out, from + length, n - from);
        return new Mutation(kind, "repeated " + from + "+" + length, out);
      }
      default -> throw new AssertionError(kind);
    }
  }
}
