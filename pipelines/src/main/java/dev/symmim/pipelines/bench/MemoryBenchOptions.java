package dev.symmim.pipelines.bench;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim bench memory}. */
public interface MemoryBenchOptions extends PipelineOptions {
  @Description("Data sizes to measure (comma-separated): embeddings per set for evaluate and index, images for embed.")
  @Default.String("10000,100000,1000000")
  String getSizes();

  void setSizes(String value);

  @Description("Commands to measure (comma-separated, in this order): evaluate, index, embed.")
  @Default.String("evaluate,index,embed")
  String getCommands();

  void setCommands(String value);

  @Description("Length of the synthetic embedding vectors (random unit vectors) for evaluate and index.")
  @Default.Integer(64)
  int getVectorDim();

  void setVectorDim(int value);

  @Description("The val split (evaluate's k-NN queries) of a size-N set: min(N/10, this); the rest is train (the bank). "
      + "Capped so that the quadratic k-NN stays short while the bank grows with N.")
  @Default.Integer(1000)
  int getMaxQueries();

  void setMaxQueries(int value);

  @Description("Classes of the synthetic labels (uniform).")
  @Default.Integer(10)
  int getClasses();

  void setClasses(int value);

  @Description("Embed is measured only for sizes up to this many images (it runs a ViT over each; see the log for "
      + "its wall time to judge larger sizes).")
  @Default.Integer(100000)
  int getEmbedMaxImages();

  void setEmbedMaxImages(int value);

  @Description("Encoder width of the freshly initialized checkpoint embed runs (patch 4, 32 px images).")
  @Default.Integer(32)
  int getDim();

  void setDim(int value);

  @Description("Encoder depth of that checkpoint.")
  @Default.Integer(1)
  int getDepth();

  void setDepth(int value);

  @Description("Extra flags of every evaluate run (space-separated); --baselines=false is always given (synthetic "
      + "vectors have no images to embed baselines from).")
  @Default.String("")
  String getEvaluateFlags();

  void setEvaluateFlags(String value);

  @Description("Extra flags of every index run (space-separated), e.g. --shards=2 --efConstruction=50.")
  @Default.String("")
  String getIndexFlags();

  void setIndexFlags(String value);

  @Description("SYMMIM_JAVA_OPTS of the measured commands (empty: the JVM's default heap, a quarter of the memory).")
  @Default.String("")
  String getJavaOpts();

  void setJavaOpts(String value);

  @Description("A measured command still running after this many minutes is killed and reported as timed out.")
  @Default.Integer(60)
  int getTimeoutMinutes();

  void setTimeoutMinutes(int value);

  @Description("Seed of the synthetic vectors, labels and images.")
  @Default.Long(1)
  long getDataSeed();

  void setDataSeed(long value);

  @Description("Directory for the synthetic inputs, the commands' outputs and logs, and memory.json (the results).")
  @Default.String("out/bench-memory")
  String getOutput();

  void setOutput(String value);
}
