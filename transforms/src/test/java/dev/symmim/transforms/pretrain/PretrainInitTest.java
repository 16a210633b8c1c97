package dev.symmim.transforms.pretrain;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.TimmVitWeights;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.PositionEmbedding;
import dev.symmim.transforms.training.TinyDataset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.Test;

/** {@code pretrain --init}: both encoders start from the file; the rest of the model and the optimizer start fresh. */
public class PretrainInitTest {
  @Test
  public void onlineAndMomentumEncodersStartFromTheFileAndTheRestFresh() {
    PretrainConfig config = TinyDataset.config(32, 8, 1);
    PretrainConfig other = config.withRun(new RunSettings(config.run().seed() + 1, config.run().precision(),
        config.run().device(), config.run().threads(), config.run().interopThreads()));
    Map<String, NamedTensor> timm = new LinkedHashMap<>();
    Checkpoint source;
    try (SymMimTrainer t = new SymMimTrainer(other)) { // another seed: other weights than config's own init
      source = t.checkpoint();
    }
    for (NamedTensor t : TimmVitWeights.export(source.tensors(), "online/", config.encoder(),
        PositionEmbedding.sinCos2d(config.encoder().dim(), config.encoder().grid()))) {
      timm.put(t.name(), t);
    }
    Checkpoint fresh;
    try (SymMimTrainer t = new SymMimTrainer(config)) {
      fresh = t.checkpoint();
    }
    try (SymMimTrainer t = PretrainingLoop.initialised(config, timm, "test")) {
      Checkpoint c = t.checkpoint();
      assertEquals(0, c.state().step());
      for (String name : fresh.tensors().keySet()) {
        float[] now = c.tensor(name).data();
        boolean encoder = name.matches("(online|momentum)/encoder\\..*") && !name.endsWith("mask_token");
        if (encoder) {
          String online = "online/" + name.substring(name.indexOf('/') + 1);
          assertArrayEquals(name, source.tensor(online).data(), now, 0f);
        } else {
          assertArrayEquals(name + " starts as the run's own init", fresh.tensor(name).data(), now, 0f);
        }
      }
      assertNotEquals(fresh.tensor("online/encoder.blocks.0.attn.qkv.weight").data()[0],
          c.tensor("online/encoder.blocks.0.attn.qkv.weight").data()[0], 0f);
    }

    timm.remove("blocks.0.norm2.bias");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PretrainingLoop.initialised(config, timm, "test"));
    assertTrue(e.getMessage(), e.getMessage().contains("no tensor blocks.0.norm2.bias"));
  }
}
