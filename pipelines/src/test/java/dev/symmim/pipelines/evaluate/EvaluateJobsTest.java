package dev.symmim.pipelines.evaluate;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.pipelines.evaluate.EvaluatePipeline.EmbeddingSet;
import dev.symmim.pipelines.options.CommandLine;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** Comparison sets that would not fit in the memory budget together are evaluated in several jobs. */
public class EvaluateJobsTest {
  static EmbeddingSet set(String name, long records, int dim) {
    return new EmbeddingSet(name, "/unused/" + name, new EmbeddingsManifest("sha256:0/online", dim, "online", null,
        "/data", "00", records, 0, Map.of("train", records), List.of(), List.of(), null, List.of("a"), null));
  }

  static List<List<String>> names(List<List<EmbeddingSet>> jobs) {
    return jobs.stream().map(j -> j.stream().map(EmbeddingSet::name).toList()).toList();
  }

  @Test
  public void setsThatFitTogetherShareOneJob() {
    List<EmbeddingSet> sets = List.of(set("a", 1000, 64), set("b", 1000, 64), set("c", 1000, 1024));
    assertEquals(List.of(List.of("a", "b", "c")), names(EvaluatePipeline.jobs(sets, 1L << 30)));
  }

  @Test
  public void setsAreGroupedInOrderUpToTheBudgetAndABigSetGetsAJobOfItsOwn() {
    // 70,000 x 1,024 floats: about 1.8 GB each at 24 bytes a value; 70,000 x 64: about 0.17 GB
    List<EmbeddingSet> sets = List.of(set("online", 70_000, 64), set("random", 70_000, 64),
        set("online:grid4", 70_000, 1024), set("random:grid4", 70_000, 1024), set("pixels", 70_000, 1024));
    assertEquals(List.of(List.of("online", "random"), List.of("online:grid4"), List.of("random:grid4"),
        List.of("pixels")), names(EvaluatePipeline.jobs(sets, 3_000_000_000L / 2)));
    assertEquals(5, EvaluatePipeline.jobs(sets, 1).size());
  }

  @Test
  public void aSavedJobIsReusedOnlyForTheSameSetsAndFlags() {
    EvaluateOptions o = CommandLine.parse(new String[] {"--embeddings=/e", "--output=/o"}, EvaluateOptions.class);
    EvaluateOptions k10 = CommandLine.parse(new String[] {"--embeddings=/e", "--output=/o", "--k=10"},
        EvaluateOptions.class);
    List<EmbeddingSet> job = List.of(set("online", 1000, 64));
    assertEquals(EvaluatePipeline.jobKey(job, o), EvaluatePipeline.jobKey(List.of(set("online", 1000, 64)), o));
    assertNotEquals(EvaluatePipeline.jobKey(job, o), EvaluatePipeline.jobKey(job, k10));
    assertNotEquals(EvaluatePipeline.jobKey(job, o), EvaluatePipeline.jobKey(List.of(set("online", 1001, 64)), o));
    assertNotEquals(EvaluatePipeline.jobKey(job, o), EvaluatePipeline.jobKey(List.of(set("random", 1000, 64)), o));
  }

  /** A job handed to Dataflow without waiting (a Flex Template launch) cannot be followed by the evaluation job. */
  @Test
  public void comparisonSetsAreRefusedWhenTheJobIsOnlyHandedToDataflow() throws Exception {
    EvaluateOptions o = CommandLine.parse(new String[] {"--runner=DataflowRunner",
        "--templateLocation=gs://b/staging/template_launches/1/job_object", "--embeddings=gs://b/e",
        "--output=gs://b/eval"}, EvaluateOptions.class);
    try {
      EvaluatePipeline.embedBaselines(o, set("online", 1000, 64).manifest(), "gs://b/eval");
      throw new AssertionError("comparison sets accepted");
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().startsWith("--baselines=true --readouts=: the comparison sets ")
          && e.getMessage().contains("give --baselines=false"));
    }
  }
}
