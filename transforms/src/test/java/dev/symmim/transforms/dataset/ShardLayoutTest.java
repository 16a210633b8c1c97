package dev.symmim.transforms.dataset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.Test;

public class ShardLayoutTest {
  private static ShardLayout layout(int examples, long bytesEach) {
    Map<String, Long> counts = new HashMap<>();
    for (int i = 0; i < examples; i++) {
      counts.merge(ShardLayout.bucketKey("train", "hash-" + i), 1L, Long::sum);
    }
    return new ShardLayout(counts, Map.of("train", examples * bytesEach), 4);
  }

  @Test
  public void shardsAreEqualPlusMinusOne() {
    for (int n : new int[] {1, 7, 100, 1001}) {
      for (int shards : new int[] {1, 3, 7}) {
        int s = Math.min(n, shards);
        int[] sizes = new int[s];
        for (long i = 0; i < n; i++) {
          sizes[ShardLayout.shardOf(i, n, s)]++;
        }
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int size : sizes) {
          min = Math.min(min, size);
          max = Math.max(max, size);
        }
        assertTrue(n + "/" + s + ": " + min + ".." + max, max - min <= 1 && min > 0);
      }
    }
  }

  @Test
  public void offsetsArePrefixSumsOfBucketCounts() {
    ShardLayout l = layout(5000, 10);
    assertEquals(5000, l.count("train"));
    assertEquals(0, l.offset("train", 0));
    long expected = 0;
    for (int b = 0; b < ShardLayout.BUCKETS; b++) {
      assertEquals(expected, l.offset("train", b));
      if (b + 1 < ShardLayout.BUCKETS) {
        expected = l.offset("train", b + 1);
      }
    }
    assertEquals(5000, l.offset("train", ShardLayout.BUCKETS - 1)
        + l.count("train") - l.offset("train", ShardLayout.BUCKETS - 1));
  }

  @Test
  public void groupsAreRunsOfConsecutiveBuckets() {
    assertEquals(4, ShardLayout.groupsFor(1));
    assertEquals(13, ShardLayout.groupsFor(200L << 20));
    assertEquals(ShardLayout.BUCKETS, ShardLayout.groupsFor(Long.MAX_VALUE / 2));
    int groups = 13;
    int previous = 0;
    for (int b = 0; b < ShardLayout.BUCKETS; b++) {
      int g = ShardLayout.groupOf(b, groups);
      assertTrue(g == previous || g == previous + 1);
      previous = g;
    }
    assertEquals(groups - 1, previous);
  }

  @Test
  public void shardCountFollowsTargetSizeOrFixedCount() {
    ShardLayout l = layout(100, 1 << 20); // 100 MiB
    assertEquals(4, l.numShards("train", 0, 30L << 20));
    assertEquals(5, l.numShards("train", 5, 30L << 20));
    assertEquals(100, l.numShards("train", 1000, 1));
    assertEquals(0, l.numShards("val", 3, 1));
  }
}
