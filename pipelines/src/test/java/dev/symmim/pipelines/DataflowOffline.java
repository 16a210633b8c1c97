package dev.symmim.pipelines;

import dev.symmim.pipelines.cli.Symmim;

import com.google.api.services.dataflow.model.DataflowPackage;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.runners.dataflow.options.DataflowPipelineDebugOptions;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.runners.dataflow.util.PackageUtil;
import org.apache.beam.runners.dataflow.util.Stager;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options that make the DataflowRunner translate a pipeline into a job template file without
 * talking to Google: a local {@code --templateLocation}, a fixed token that is never sent anywhere,
 * a stager that uploads nothing and a path validator that checks nothing. Translation still
 * serializes every DoFn, source and coder into the job, which is what this is for.
 */
final class DataflowOffline {
  static final String PROJECT = "symmim-offline";
  static final String BUCKET = "gs://symmim-offline-bucket";

  private DataflowOffline() {}

  /** {@code commandFlags} parsed as the CLI does, with {@code --runner=DataflowRunner} and the offline settings. */
  static <T extends PipelineOptions> T options(Class<T> type, Path template, String... commandFlags) {
    List<String> args = new ArrayList<>(Arrays.asList(commandFlags));
    args.addAll(List.of("--runner=DataflowRunner", "--project=" + PROJECT, "--region=us-central1",
        "--tempLocation=" + BUCKET + "/tmp", "--gcpTempLocation=" + BUCKET + "/tmp","--stagingLocation=" + BUCKET + "/staging",
        "--templateLocation=" + template.toAbsolutePath(),
        "--pathValidatorClass=" + NoopPathValidator.class.getName()));
    T o = Symmim.parse(args.toArray(new String[0]), type);
    o.as(GcpOptions.class).setGcpCredential(
        GoogleCredentials.create(new AccessToken("offline", new Date(Long.MAX_VALUE))));
    o.as(DataflowPipelineDebugOptions.class).setStager(new NoUploadStager());
    // Nothing is staged, so classpath scanning (and zipping target/classes) is wasted work.
    o.as(DataflowPipelineOptions.class).setFilesToStage(List.of());
    return o;
  }

  /** Records what would be staged and uploads nothing. */
  static final class NoUploadStager implements Stager {
    /** What {@link #stageToFile} was given (the pipeline proto among it), by name. */
    final Map<String, byte[]> staged = new ConcurrentHashMap<>();

    @Override
    public List<DataflowPackage> stageFiles(List<PackageUtil.StagedFile> files) {
      List<DataflowPackage> packages = new ArrayList<>();
      for (PackageUtil.StagedFile f : files) {
        packages.add(new DataflowPackage().setName(f.getDestination()).setLocation(BUCKET + "/staging/"
            + f.getDestination()));
      }
      return packages;
    }

    @Override
    public DataflowPackage stageToFile(byte[] bytes, String name) {
      staged.put(name, bytes.clone());
      return new DataflowPackage().setName(name).setLocation(BUCKET + "/staging/" + name);
    }
  }
}
