package dev.symmim.pipelines;

import dev.symmim.transforms.evaluate.WriteEvaluationMetrics;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.pipelines.prepare.PrepareOptions;
import dev.symmim.pipelines.prepare.PreparePipeline;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import dev.symmim.pipelines.pretrain.PretrainPipeline;
import dev.symmim.pipelines.embed.EmbedOptions;
import dev.symmim.pipelines.embed.EmbedPipeline;
import dev.symmim.pipelines.evaluate.EvaluateOptions;
import dev.symmim.pipelines.evaluate.EvaluatePipeline;
import dev.symmim.pipelines.index.IndexOptions;
import dev.symmim.pipelines.index.IndexPipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.dataflow.options.DataflowPipelineDebugOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.ParDoTranslation;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every command's pipeline (prepare, pretrain, embed, evaluate's evaluation job, index), built by
 * the same code as the CLI and translated by the DataflowRunner into a local job template, offline
 * (see {@link DataflowOffline}). The inputs are real: 320 images of the shipped Fashion-MNIST subset
 * prepared and embedded on the DirectRunner. Translation serializes every DoFn and coder; the test then reads
 * the pipeline proto the runner would have staged and deserializes every DoFn and coder in it, as a
 * Dataflow worker would.
 */
public class DataflowTranslationIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final Set<String> PARDO_URNS = Set.of(PTransformTranslation.PAR_DO_TRANSFORM_URN,
      PTransformTranslation.SPLITTABLE_PAIR_WITH_RESTRICTION_URN,
      PTransformTranslation.SPLITTABLE_SPLIT_AND_SIZE_RESTRICTIONS_URN,
      PTransformTranslation.SPLITTABLE_PROCESS_SIZED_ELEMENTS_AND_RESTRICTIONS_URN,
      PTransformTranslation.SPLITTABLE_TRUNCATE_SIZED_RESTRICTION_URN);

  @Test
  public void everyCommandTranslatesForDataflow() throws Exception {
    Path root = tmp.getRoot().toPath();
    String input = smallFashionMnist(root.resolve("fmnist"), 240, 80).toString();
    String data = root.resolve("prepared").toString();
    String embeddings = root.resolve("embeddings").toString();
    Path checkpoint = root.resolve("ckpt");
    assertEquals(0, Symmim.run(new String[] {"prepare", "--runner=DirectRunner", "--input=" + input,
        "--output=" + data, "--imageSize=16"}));
    PretrainConfig config = PretrainConfig.of(new VitSpec(16, 4, 1, 32, 2, 2, 4))
        .withHeads(new ContrastiveHeads(64, 32, 64)).withOptimisation(Optimisation.pretraining().withBatch(8, 1.5e-4))
        .withRun(new RunSettings(3, Precision.FP32, DeviceKind.CPU, 0, 0));
    try (SymMimTrainer trainer = new SymMimTrainer(config, TorchRuntime.device(DeviceKind.CPU))) {
      trainer.checkpoint().save(checkpoint);
    }
    assertEquals(0, Symmim.run(new String[] {"embed", "--runner=DirectRunner", "--data=" + data,
        "--checkpoint=" + checkpoint, "--output=" + embeddings, "--device=cpu"}));

    Map<String, Translated> translated = new LinkedHashMap<>();

    Path t = root.resolve("prepare.json");
    PrepareOptions prepare = DataflowOffline.options(PrepareOptions.class, t, "--input=" + input,
        "--output=gs://out/prepared", "--imageSize=16");
    translated.put("prepare", translate(PreparePipeline.build(prepare), t));

    t = root.resolve("pretrain.json");
    PretrainOptions pretrain = DataflowOffline.options(PretrainOptions.class, t, "--data=" + data,
        "--output=" + root.resolve("run"), "--model=tiny", "--epochs=1", "--device=cpu");
    translated.put("pretrain", translate(PretrainPipeline.build(pretrain, PretrainPipeline.plan(pretrain)), t));

    t = root.resolve("embed.json");
    EmbedOptions embed = DataflowOffline.options(EmbedOptions.class, t, "--data=" + data,
        "--checkpoint=" + checkpoint, "--output=gs://out/embeddings", "--device=cpu");
    translated.put("embed", translate(EmbedPipeline.build(embed, EmbedPipeline.plan(embed)), t));

    t = root.resolve("evaluate.json");
    EvaluateOptions evaluate = DataflowOffline.options(EvaluateOptions.class, t, "--embeddings=" + embeddings,
        "--output=" + root.resolve("evaluation"), "--device=cpu");
    translated.put("evaluate", translate(evaluationJob(evaluate, embeddings), t));

    t = root.resolve("index.json");
    IndexOptions index = DataflowOffline.options(IndexOptions.class, t, "--embeddings=" + embeddings,
        "--output=gs://out/index", "--shards=2");
    translated.put("index", translate(IndexPipeline.build(index, IndexPipeline.plan(index)), t));

    Map<String, String> expectedStep = Map.of("prepare", "Prepare", "pretrain", "Pretrain", "embed", "Embed",
        "evaluate", "Evaluate-online", "index", "BuildHnswIndex");
    for (Map.Entry<String, Translated> e : translated.entrySet()) {
      Translated x = e.getValue();
      assertThat(e.getKey() + " top-level transforms", x.topLevel, hasItem(startsWith(expectedStep.get(e.getKey()))));
      assertThat(e.getKey() + " DoFns deserialized", x.doFns, greaterThan(0));
      assertThat(e.getKey() + " coders deserialized", x.coders, greaterThan(0));
      System.out.printf("dataflow: %s -> %s (%d DoFns, %d coders, template %d bytes)%n", e.getKey(), x.template,
          x.doFns, x.coders, Files.size(x.template));
    }
  }

  /**
   * The first {@code train} and {@code test} images of the shipped Fashion-MNIST subset as IDX files
   * (the DirectRunner prepares the whole subset in minutes; translation needs real inputs, not many).
   */
  static Path smallFashionMnist(Path dir, int train, int test) throws Exception {
    Path subset = SymmimProcess.repo().resolve("data/fashion-mnist-subset");
    Files.createDirectories(dir);
    Files.copy(subset.resolve("classes.txt"), dir.resolve("classes.txt"));
    for (String prefix : List.of("train", "t10k")) {
      int n = prefix.equals("train") ? train : test;
      for (String kind : List.of("images-idx3-ubyte", "labels-idx1-ubyte")) {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(
                Files.newInputStream(subset.resolve(prefix + "-" + kind + ".gz"))));
            DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-" + kind)))) {
          int magic = in.readInt();
          int dims = magic & 0xff;
          in.readInt();
          out.writeInt(magic);
          out.writeInt(n);
          int itemBytes = 1;
          for (int d = 1; d < dims; d++) {
            int size = in.readInt();
            out.writeInt(size);
            itemBytes *= size;
          }
          out.write(in.readNBytes(n * itemBytes));
        }
      }
    }
    return dir;
  }

  /** evaluate's second job, wired as {@link EvaluatePipeline#run} wires it for the main embeddings (no baselines). */
  private static Pipeline evaluationJob(EvaluateOptions o, String embeddings) {
    EmbeddingsManifest main = EvaluatePipeline.readManifest(embeddings, "embeddings");
    EvaluatePipeline.EmbeddingSet set = new EvaluatePipeline.EmbeddingSet(main.encoder(), embeddings, main);
    Pipeline p = Pipeline.create(o);
    PCollection<String> results = EvaluatePipeline.evaluate(p, set, o);
    results.apply("WriteMetrics", WriteEvaluationMetrics.to(o.getOutput(), EvaluatePipeline.header(main, embeddings, o),
        List.of(set.name())));
    return p;
  }

  /** DataflowRunner.PIPELINE_FILE_NAME (package-private): the pipeline proto it stages. */
  private static final String PIPELINE_FILE = "pipeline.pb";

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  record Translated(Path template, List<String> topLevel, int doFns, int coders) {}

  /** Runs the DataflowRunner (writes the template, submits nothing) and checks what it staged. */
  private static Translated translate(Pipeline p, Path template) throws Exception {
    PipelineResult result = p.run();
    assertThat(result.getClass().getSimpleName(), startsWith("DataflowTemplateJob"));
    JsonNode job = new ObjectMapper().readTree(template.toFile());
    System.out.println("dataflow: template " + template + " fields " + iterable(job.fieldNames()));
    assertTrue(template + " is not a Dataflow job", job.has("environment"));
    DataflowOffline.NoUploadStager stager = (DataflowOffline.NoUploadStager)
        p.getOptions().as(DataflowPipelineDebugOptions.class).getStager();
    byte[] bytes = stager.staged.get(PIPELINE_FILE);
    assertNotNull("the runner staged no " + PIPELINE_FILE, bytes);
    RunnerApi.Pipeline proto = RunnerApi.Pipeline.parseFrom(bytes);
    RehydratedComponents components = RehydratedComponents.forComponents(proto.getComponents());
    int coders = 0;
    for (String id : proto.getComponents().getCodersMap().keySet()) {
      assertNotNull(id, components.getCoder(id));
      coders++;
    }
    int doFns = 0;
    for (Map.Entry<String, RunnerApi.PTransform> e : proto.getComponents().getTransformsMap().entrySet()) {
      RunnerApi.FunctionSpec spec = e.getValue().getSpec();
      if (PARDO_URNS.contains(spec.getUrn())) {
        RunnerApi.ParDoPayload payload = RunnerApi.ParDoPayload.parseFrom(spec.getPayload());
        if (payload.getDoFn().getUrn().equals(ParDoTranslation.CUSTOM_JAVA_DO_FN_URN)) {
          assertNotNull(e.getKey(), ParDoTranslation.getDoFn(payload));
          doFns++;
        }
      }
    }
    List<String> topLevel = new ArrayList<>();
    for (String id : proto.getRootTransformIdsList()) {
      topLevel.add(proto.getComponents().getTransformsOrThrow(id).getUniqueName());
    }
    return new Translated(template, topLevel, doFns, coders);
  }
}
