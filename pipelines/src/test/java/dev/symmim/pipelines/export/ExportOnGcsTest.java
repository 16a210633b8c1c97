package dev.symmim.pipelines.export;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.Safetensors;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.testing.gcs.GcsServer;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.training.EncoderFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code symmim export} from a run on gs:// to gs:// (the test GCS server behind --gcsEndpoint) writes
 * the same bytes as a local export, and an --init file on gs:// reads back.
 */
public class ExportOnGcsTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private GcsServer gcs;

  @Before
  public void start() throws Exception {
    gcs = GcsServer.start(0);
    FileSystems.setDefaultPipelineOptions(Symmim.parse(new String[] {"--gcsEndpoint=" + gcs.endpoint()},
        PipelineOptions.class));
  }

  @After
  public void stop() {
    gcs.close();
  }

  @Test
  public void aRunOnGcsExportsToGcsAsItWouldLocally() throws Exception {
    Path run = tmp.newFolder("run").toPath();
    Path ckpt = run.resolve("checkpoints/step-00000000");
    try (SymMimTrainer t = new SymMimTrainer(ExportCliTest.pretrainConfig())) {
      t.save(ckpt);
    }
    Files.writeString(run.resolve("checkpoints/LATEST"), "step-00000000\n");
    String remote = "gs://export-test/run";
    for (String f : new String[] {Checkpoint.CONFIG_FILE, Checkpoint.STATE_FILE, Checkpoint.TENSORS_FILE}) {
      Locations.upload(ckpt.resolve(f), remote + "/checkpoints/step-00000000/" + f);
    }
    Locations.write(remote + "/checkpoints/LATEST", "step-00000000\n".getBytes(StandardCharsets.UTF_8));

    Path local = tmp.getRoot().toPath().resolve("local-export");
    Symmim.run(new String[] {"export", "--checkpoint=" + run, "--output=" + local});
    Symmim.run(new String[] {"export", "--gcsEndpoint=" + gcs.endpoint(), "--checkpoint=" + remote,
        "--output=gs://export-test/export"});
    Safetensors.Contents a = Safetensors.read(Files.readAllBytes(local.resolve(ExportCommand.WEIGHTS_FILE)));
    Safetensors.Contents b = EncoderFiles.read("gs://export-test/export/" + ExportCommand.WEIGHTS_FILE);
    assertEquals(a.tensors().keySet(), b.tensors().keySet());
    for (NamedTensor t : a.tensors().values()) {
      assertArrayEquals(t.name(), t.data(), b.tensor(t.name()).data(), 0f);
    }
    assertEquals("the metadata differs only in its source", a.metadata().get("num_heads"), b.metadata().get("num_heads"));
    assertTrue(b.metadata().get("source").startsWith(remote));
    assertTrue(Locations.exists("gs://export-test/export/" + ExportCommand.CONFIG_FILE));
    assertTrue(Locations.exists("gs://export-test/export/" + ExportCommand.README_FILE));
  }
}
