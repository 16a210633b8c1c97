package dev.symmim.transforms.training;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.symmim.model.augment.SymMimViews;
import dev.symmim.transforms.dataset.DatasetManifest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BatchLoaderTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  @Test
  public void everyEpochVisitsEachImageAtMostOnceInASeededOrder() {
    BatchPlan plan = new BatchPlan(5, 50, 8);
    assertEquals(6, plan.stepsPerEpoch());
    Set<Long> seen = new HashSet<>();
    for (long b = 0; b < 6; b++) {
      for (long i : plan.indices(b)) {
        assertTrue(seen.add(i));
      }
    }
    assertFalse(Arrays.equals(plan.indices(0), plan.indices(6)));
    assertArrayEquals(plan.indices(7), new BatchPlan(5, 50, 8).indices(7));
  }

  /** Batches {@code [from, 10)} of 40 tiny images, 8 a batch, seed 1. */
  private static BatchLoader<Views> loader(long from, int threads, int capacity) throws Exception {
    Path data = TMP.newFolder().toPath();
    TinyDataset.write(data, 40);
    TrainingImages images = TrainingImages.load(data.toString(), DatasetManifest.readFrom(data.toString()), 0);
    BatchPlan plan = new BatchPlan(1, images.count(), 8);
    SymMimViews views = SymMimViews.of(TinyDataset.config(40, 8, 1));
    return new BatchLoader<>(plan, (index, epoch, idx) -> {
      byte[][] px = new byte[idx.length][];
      for (int i = 0; i < idx.length; i++) {
        px[i] = images.pixels((int) idx[i]);
      }
      return new Views(index, views.batch(px, images.size(), images.size(), images.channels(), 1, epoch, idx)[1]);
    }, from, 10, threads, capacity);
  }

  /** A batch index and its second views. */
  record Views(long index, float[] view2) {}

  @Test
  public void batchesAreTheSameWhateverTheThreadsAndStartPoint() throws Exception {
    float[][] one = new float[10][];
    try (BatchLoader<Views> l = loader(0, 1, 1)) {
      for (int b = 0; b < 10; b++) {
        Views batch = l.take();
        assertEquals(b, batch.index());
        one[b] = batch.view2();
      }
    }
    try (BatchLoader<Views> l = loader(4, 3, 4)) {
      for (int b = 4; b < 10; b++) {
        assertArrayEquals(one[b], l.take().view2(), 0f);
      }
    }
  }

  @Test
  public void aPausedLoaderStartsNoNewBatchUntilResumed() throws Exception {
    try (BatchLoader<Views> l = loader(0, 2, 2)) {
      assertEquals(0, l.take().index());
      for (int i = 0; i < 1000 && l.readyCount() < 2; i++) {
        Thread.sleep(10); // the loader runs ahead to its capacity: batches 1 and 2
      }
      l.pause();
      assertEquals(1, l.take().index());
      assertEquals(2, l.take().index());
      java.util.concurrent.CompletableFuture<Views> next =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
              return l.take();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          });
      Thread.sleep(300);
      assertFalse("a paused loader made batch 3", next.isDone());
      l.resume();
      assertEquals(3, next.get(10, java.util.concurrent.TimeUnit.SECONDS).index());
    }
  }

  @Test
  public void stageEndsSplitTheStepsEvenly() {
    assertTrue(TrainingLoop.isStageEnd(5, 10, 2));
    assertFalse(TrainingLoop.isStageEnd(4, 10, 2));
    assertTrue(TrainingLoop.isStageEnd(10, 10, 2));
    assertEquals(2, TrainingLoop.stageOf(9, 10, 3));
  }
}
