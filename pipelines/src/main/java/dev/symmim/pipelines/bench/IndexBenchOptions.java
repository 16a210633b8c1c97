package dev.symmim.pipelines.bench;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options of {@code symmim bench index}. Names differ from other commands' flags (--dim, --seed,
 * --workDir) whose defaults differ: Beam refuses one property with two defaults in one JVM.
 */
public interface IndexBenchOptions extends PipelineOptions {
  @Description("Indexed vectors (Gaussian-clustered synthetic, fixed seed).")
  @Default.Integer(100_000)
  int getVectors();

  void setVectors(int value);

  @Description("Vector length.")
  @Default.Integer(192)
  int getVectorDim();

  void setVectorDim(int value);

  @Description("Cluster centres (uniform on the unit sphere).")
  @Default.Integer(1000)
  int getClusters();

  void setClusters(int value);

  @Description("Norm of the Gaussian noise around a centre (the centres have norm 1).")
  @Default.Double(0.5)
  double getSpread();

  void setSpread(double value);

  @Description("Queries (drawn like the indexed vectors, not indexed); ground truth by exact brute force.")
  @Default.Integer(1000)
  int getQueries();

  void setQueries(int value);

  @Description("Search widths to measure, comma-separated (each >= 10).")
  @Default.String("10,15,20,30,50,100,200")
  String getWidths();

  void setWidths(String value);

  @Description("Shard counts to build and search, comma-separated.")
  @Default.String("1,2")
  String getShardCounts();

  void setShardCounts(String value);

  @Description("Seed of the synthetic data.")
  @Default.Long(42)
  long getDataSeed();

  void setDataSeed(long value);

  @Description("Reuse the indexes of an earlier run in --benchDir (same --vectors, --vectorDim and shard counts; "
      + "the same --dataSeed, --clusters and --spread are the caller's promise) and time only the searches.")
  @Default.Boolean(false)
  boolean getReuseIndexes();

  void setReuseIndexes(boolean value);

  @Description("Scratch directory for the embeddings and indexes.")
  @Default.String("out/bench-index")
  String getBenchDir();

  void setBenchDir(String value);
}
