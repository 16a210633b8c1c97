package dev.symmim.model.finetune;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;

import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.TimmVitWeights;
import dev.symmim.model.infer.Branch;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.PositionEmbedding;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.Test;

/**
 * A classifier initialised from a timm-named encoder ({@code finetune --init=<file>}): the same
 * features as from the checkpoint it was exported from; a learned position table is used and
 * survives a checkpoint round trip.
 */
public class FineTuneImportTest {
  @Test
  public void importedEncoderGivesTheCheckpointsFeaturesAndALearnedTableSurvivesRestore() {
    var pretrain = FineTuneFixtures.pretrainConfig();
    dev.symmim.model.checkpoint.Checkpoint checkpoint;
    try (SymMimTrainer trainer = new SymMimTrainer(pretrain)) {
      checkpoint = trainer.checkpoint();
    }
    var spec = pretrain.encoder();
    Map<String, NamedTensor> timm = new LinkedHashMap<>();
    for (NamedTensor t : TimmVitWeights.export(checkpoint.tensors(), "online/", spec,
        PositionEmbedding.sinCos2d(spec.dim(), spec.grid()))) {
      timm.put(t.name(), t);
    }
    FineTuneConfig config = FineTuneFixtures.config().build();
    float[] images = FineTuneFixtures.images(3, 16, 1, 4);
    float[][] viaCheckpoint;
    try (FineTuneTrainer t = FineTuneTrainer.fromPretrained(config, checkpoint, Branch.ONLINE)) {
      viaCheckpoint = t.features(images);
    }
    try (FineTuneTrainer t = FineTuneTrainer.fromImported(config, TimmVitWeights.importEncoder(timm, spec))) {
      float[][] viaFile = t.features(images);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(viaCheckpoint[i], viaFile[i], 0f);
      }
      assertFalse(t.state().tensors().containsKey(FineTuneState.POSITIONS));
    }

    float[] learned = new float[(1 + spec.numPatches()) * spec.dim()];
    SeededRandom r = new SeededRandom(3);
    for (int i = 0; i < learned.length; i++) {
      learned[i] = (float) (0.1 * r.nextGaussian());
    }
    timm.put("pos_embed", new NamedTensor("pos_embed", new long[] {1, 1 + spec.numPatches(), spec.dim()}, learned));
    TimmVitWeights.Imported imported = TimmVitWeights.importEncoder(timm, spec);
    try (FineTuneTrainer t = FineTuneTrainer.fromImported(config, imported)) {
      float[][] withLearned = t.features(images);
      assertNotEquals("the learned table changes the features", Arrays.toString(viaCheckpoint[0]),
          Arrays.toString(withLearned[0]));
      FineTuneState state = t.state();
      assertArrayEquals(imported.positions(), state.tensor(FineTuneState.POSITIONS).data(), 0f);
      try (FineTuneTrainer restored = FineTuneTrainer.restore(state)) {
        float[][] again = restored.features(images);
        for (int i = 0; i < 3; i++) {
          assertArrayEquals(withLearned[i], again[i], 0f);
        }
      }
    }
  }
}
