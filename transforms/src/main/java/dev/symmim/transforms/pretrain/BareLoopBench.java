package dev.symmim.transforms.pretrain;

import dev.symmim.transforms.training.BatchPlan;
import dev.symmim.transforms.training.BatchSource;
import dev.symmim.transforms.training.TrainingImages;
import dev.symmim.model.augment.SymMimViews;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.train.SymMimTrainer;

/**
 * The data-pipeline overhead benchmark, run inside the stage: a second trainer with the run's
 * config steps on one batch whose views were made once (the bare training loop on in-memory
 * tensors), in blocks spread evenly over the stage's steps. The stage's loader is paused during a
 * block, so the bare loop never shares the CPU with view making, and machine-load drift hits both
 * sides alike. It never touches the run's trainer, so the run's parameters do not change.
 */
final class BareLoopBench implements AutoCloseable {
  /** Bare steps per block. */
  static final int BLOCK_STEPS = 5;

  private final SymMimTrainer trainer;
  private final float[] view1;
  private final float[] view2;
  private final int batchSize;
  private final int steps;
  private final int blocks;
  private final long stageSteps;
  private int blocksRun;
  private int stepsRun;
  private double bareSeconds;
  private double blockSeconds;

  /**
   * @param steps bare steps in all (timed; one more warm-up step is not)
   * @param stageSteps the stage steps this attempt will train, the blocks are spread over
   */
  BareLoopBench(PretrainConfig config, TrainingImages images, BatchPlan plan, int steps, long stageSteps) {
    if (steps <= 0 || stageSteps <= 0) {
      throw new IllegalArgumentException("bare steps and stage steps must be > 0, got " + steps + ", " + stageSteps);
    }
    long[] idx = plan.indices(0);
    byte[][] px = new byte[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      px[i] = images.pixels((int) idx[i]);
    }
    float[][] v = SymMimViews.of(config).batch(px, images.size(), images.size(), images.channels(), config.run().seed(), 0,
        idx);
    this.view1 = v[0];
    this.view2 = v[1];
    this.batchSize = idx.length;
    this.steps = steps;
    this.blocks = (steps + BLOCK_STEPS - 1) / BLOCK_STEPS;
    this.stageSteps = stageSteps;
    this.trainer = new SymMimTrainer(config);
    trainer.step(view1, view2); // warm-up, not timed
  }

  /**
   * Runs the blocks that are due after {@code stageStepsDone} stage steps of this attempt, with the
   * loader paused; returns the wall seconds this call took (not stage time).
   */
  double maybeRun(long stageStepsDone, BatchSource<?> loader) {
    double before = blockSeconds;
    // Block i runs after stage step (i + 1) * stageSteps / (blocks + 1): none before the first step or after the last.
    while (blocksRun < blocks && stageStepsDone >= (blocksRun + 1) * stageSteps / (blocks + 1)) {
      long t0 = System.nanoTime();
      loader.pause();
      try {
        int n = Math.min(BLOCK_STEPS, steps - stepsRun);
        long s0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          trainer.step(view1, view2);
        }
        bareSeconds += (System.nanoTime() - s0) / 1e9;
        stepsRun += n;
        blocksRun++;
      } finally {
        loader.resume();
        blockSeconds += (System.nanoTime() - t0) / 1e9;
      }
    }
    return blockSeconds - before;
  }

  /** Wall time spent in blocks (bare steps plus pausing the loader): not stage time. */
  double blockSeconds() {
    return blockSeconds;
  }

  int stepsRun() {
    return stepsRun;
  }

  int blocksRun() {
    return blocksRun;
  }

  /** Bare-loop images per second over the timed steps (NaN before the first block). */
  double imagesPerSecond() {
    return bareSeconds > 0 ? stepsRun * (double) batchSize / bareSeconds : Double.NaN;
  }

  @Override
  public void close() {
    trainer.close();
  }
}
