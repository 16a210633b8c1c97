package dev.symmim.transforms.dataset;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where every example of a split goes. Ids hash into {@link #BUCKETS} fine buckets; an example's
 * position in its split is the number of examples in lower buckets plus its rank by id inside its
 * bucket. Consecutive buckets form placement groups of about {@link #GROUP_BYTES}, each sorted on
 * one worker; shard {@code s} of {@code N} holds positions {@code [s*n/N, (s+1)*n/N)}. All of it
 * follows from per-bucket counts, so it is the same on every run and runner.
 */
public final class ShardLayout {
  /** Fine placement buckets per split. */
  public static final int BUCKETS = 4096;
  /** Target size of a placement group, which one worker sorts in memory. */
  public static final long GROUP_BYTES = 32L << 20;

  private final Map<String, long[]> offsets = new TreeMap<>();
  private final Map<String, Long> counts = new TreeMap<>();
  private final Map<String, Long> bytes;

  /**
   * @param bucketCounts examples per {@code "<split>/<bucket>"}
   * @param splitBytes payload bytes per split
   */
  public ShardLayout(Map<String, Long> bucketCounts, Map<String, Long> splitBytes) {
    this.bytes = new TreeMap<>(splitBytes);
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

  public static int bucketOf(String id) {
    return (int) Long.remainderUnsigned(StableHash.of("bucket", id), BUCKETS);
  }

  /** The key the layout counts an example under. */
  public static String bucketKey(String split, String id) {
    return split + "/" + bucketOf(id);
  }

  public long count(String split) {
    return counts.getOrDefault(split, 0L);
  }

  public long bytes(String split) {
    return bytes.getOrDefault(split, 0L);
  }

  /** Position in the split of the first example of {@code bucket}. */
  public long offset(String split, int bucket) {
    return offsets.get(split)[bucket];
  }

  /** Placement groups of a split: enough that each holds about {@link #GROUP_BYTES}. */
  public int groups(String split) {
    return (int) Math.max(1, Math.min(BUCKETS, (bytes(split) + GROUP_BYTES - 1) / GROUP_BYTES));
  }

  public int groupOf(String split, int bucket) {
    return (int) ((long) bucket * groups(split) / BUCKETS);
  }

  /** The lowest bucket of a group. */
  public int firstBucket(String split, int group) {
    int g = groups(split);
    return (int) (((long) group * BUCKETS + g - 1) / g);
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
