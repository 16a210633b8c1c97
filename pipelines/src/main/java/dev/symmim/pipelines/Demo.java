package dev.symmim.pipelines;

import java.io.File;
import java.nio.file.Path;

/** {@code symmim demo}: every stage that exists, end to end on the shipped dataset. */
final class Demo {
  private Demo() {}

  static Path shippedData() {
    String home = System.getProperty("symmim.home", ".");
    return Path.of(home, "data", "fashion-mnist-subset").toAbsolutePath().normalize();
  }

  static int run(DemoOptions o) throws Exception {
    String data = o.getData() != null ? o.getData() : shippedData().toString();
    if (!new File(data).exists() && !data.contains("://")) {
      throw new IllegalArgumentException("--data=" + data + " does not exist (run from the repository or set -Dsymmim.home)");
    }
    String out = Path.of(o.getOutput() == null ? "out/demo" : o.getOutput()).toAbsolutePath().normalize().toString();
    PrepareOptions prepare = o.as(PrepareOptions.class);
    prepare.setInput(data);
    prepare.setOutput(out + "/prepared");
    PreparePipeline.run(prepare);
    Path report = DatasetReportPage.write(out + "/prepared", Path.of(out, "report.html"));
    System.out.println("demo: report " + report);
    return 0;
  }
}
