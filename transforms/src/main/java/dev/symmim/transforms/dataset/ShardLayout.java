package dev.symmim.transforms.dataset;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where every kept example of a split goes. Content hashes fall into {@link #BUCKETS} fine
 * buckets (so duplicates always meet in one bucket); an example's position in its split is the
 * number of the split's examples in lower buckets plus its rank by id inside its bucket.
 * Consecutive buckets form placement groups, each sorted on one worker; shard {@code s} of
 * {@code N} holds positions {@code [s*n/N, (s+1)*n/N)}. All of it follows from per-bucket counts,
 * so it is the same on every run and runner.
 */
public final class ShardLayout {
  /** Fine placement buckets per split. */
  public static final int BUCKETS = 4096;
  /** Input bytes per placement group (a group is sorted in memory on one worker). */
  public static final long GROUP_INPUT_BYTES = 16L << 20;
  /** At least this many groups, so that more than one worker places examples. */
  public static final int MIN_GROUPS = 4;

  private final Map<String, long[]> offsets = new TreeMap<>();
  private final Map<String, Long> counts = new TreeMap<>();
  private final Map<String, Long> bytes;
  private final int groups;

  /**
   * @param bucketCounts kept examples per {@code "<split>/<bucket>"}
   * @param splitBytes payload bytes per split
   * @param groups placement groups (see {@link #groupsFor})
   */
  public ShardLayout(Map<String, Long> bucketCounts, Map<String, Long> splitBytes, int groups) {
    this.bytes = new TreeMap<>(splitBytes);
    this.groups = groups;
    Map<String, long[]> perBucket = new TreeMap<>();
    bucketCounts.forEach((key, n) -> {
      int slash = key.lastIndexOf('/');
      perBucket.computeIfAbsent(key.substring(0, slash), s -> new long[BUCKETS])[Integer.parseInt(key.substring(slash + 1))] += n;
    });
    perBucket.forEach((split, c) -> {
      long[] prefix = new long[BUCKETS + 1];
      for (int i = 0; i < BUCKETS; i++) {
        prefix[i + 1] = prefix[i] + c[i];
      }
      offsets.put(split, prefix);
      counts.put(split, prefix[BUCKETS]);
    });
  }

  /** Placement groups for an input of {@code inputBytes}: enough to keep groups small. */
  public static int groupsFor(long inputBytes) {
    return (int) Math.max(MIN_GROUPS, Math.min(BUCKETS, (inputBytes + GROUP_INPUT_BYTES - 1) / GROUP_INPUT_BYTES));
  }

  public static int bucketOf(String contentHash) {
    return (int) Long.remainderUnsigned(StableHash.of("bucket", contentHash), BUCKETS);
  }

  /** The key the layout counts a kept example under. */
  public static String bucketKey(String split, String contentHash) {
    return split + "/" + bucketOf(contentHash);
  }

  /** Approximate stored size of an example, for shard sizing. */
  public static long payloadBytes(dev.symmim.schemas.Example e) {
    return e.getPixels().remaining() + e.getId().length() + e.getSource().length() + 64;
  }

  public long count(String split) {
    return counts.getOrDefault(split, 0L);
  }

  public long bytes(String split) {
    return bytes.getOrDefault(split, 0L);
  }

  /** Position in the split of the first example of {@code bucket} (0 for a split with none). */
  public long offset(String split, int bucket) {
    long[] o = offsets.get(split);
    return o == null ? 0 : o[bucket];
  }

  public int groups() {
    return groups;
  }

  /** The placement group of a bucket: groups are runs of consecutive buckets. */
  public static int groupOf(int bucket, int groups) {
    return (int) ((long) bucket * groups / BUCKETS);
  }

  /**
   * Shards for {@code split}: {@code fixedShards} when > 0, else enough that each holds at most
   * {@code targetBytes}; never more shards than examples, at least one for a non-empty split.
   */
  public int numShards(String split, int fixedShards, long targetBytes) {
    long n = count(split);
    if (n == 0) {
      return 0;
    }
    long wanted = fixedShards > 0 ? fixedShards : Math.max(1, (bytes(split) + targetBytes - 1) / targetBytes);
    return (int) Math.min(n, wanted);
  }

  /** The shard of position {@code index} out of {@code count} in {@code shards} equal contiguous parts. */
  public static int shardOf(long index, long count, int shards) {
    return (int) ((index * shards) / count);
  }
}
