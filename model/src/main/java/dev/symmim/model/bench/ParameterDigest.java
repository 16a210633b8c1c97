package dev.symmim.model.bench;

import dev.symmim.model.config.Masking;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.masking.Parity;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.train.SymMimTrainer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Cross-process determinism check: trains {@code steps} tiny steps with a fixed seed and thread
 * count and prints a SHA-256 of every tensor of the resulting checkpoint (parameters, EMA,
 * moments). Two runs must print the same digest. {@code ParameterDigest [steps] [seed]}.
 */
public final class ParameterDigest {
  private ParameterDigest() {}

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
    PretrainConfig config = LeakSoak.tinyConfig().withRun(LeakSoak.tinyConfig().run().withSeed(seed))
        .withMasking(Masking.symmetric().withParity(Parity.RANDOM));
    int per = config.optimisation().batchSize() * config.encoder().imageSize() * config.encoder().imageSize() * config.encoder().channels();
    SeededRandom data = new SeededRandom(seed + 100);
    Checkpoint c;
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      for (int s = 0; s < steps; s++) {
        float[] v1 = new float[per];
        float[] v2 = new float[per];
        for (int i = 0; i < per; i++) {
          v1[i] = (float) data.nextDouble();
          v2[i] = (float) data.nextDouble();
        }
        trainer.step(v1, v2);
      }
      c = trainer.checkpoint();
    }
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (NamedTensor t : c.tensors().values()) {
      sha.update(t.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      ByteBuffer b = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(t.data());
      sha.update(b.array());
    }
    System.out.printf("%d steps, seed %d, %d tensors, state %s: sha256 %s%n", steps, seed, c.tensors().size(), c.state(),
        HexFormat.of().formatHex(sha.digest()));
  }
}
