package dev.symmim.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * The layout's rules, checked on the compiled classes (every class a class file names is in its
 * constant pool): a stage package never uses another stage's package; the shared pipeline packages
 * (options, runner, report) use no stage; transforms/ never uses pipelines/; model/ never uses Beam.
 * Each package has a package-info.java saying what lives there.
 */
public class ArchitectureTest {
  static final List<String> STAGES = List.of("prepare", "pretrain", "finetune", "embed", "evaluate", "index", "export");
  static final List<String> SHARED = List.of("options", "runner", "report");
  static final Path ROOT = SymmimProcess.repo();

  @Test
  public void noStageUsesAnotherStage() throws IOException {
    List<String> broken = new ArrayList<>();
    for (String stage : STAGES) {
      for (String other : STAGES) {
        if (!other.equals(stage)) {
          broken.addAll(uses(classes("pipelines", "dev/symmim/pipelines/" + stage), "dev/symmim/pipelines/" + other + "/"));
        }
      }
    }
    assertEquals("stage packages use other stages' classes (share them through transforms/ or model/)",
        List.of(), broken);
  }

  @Test
  public void sharedPipelinePackagesUseNoStage() throws IOException {
    List<String> broken = new ArrayList<>();
    for (String shared : SHARED) {
      for (String stage : STAGES) {
        broken.addAll(uses(classes("pipelines", "dev/symmim/pipelines/" + shared), "dev/symmim/pipelines/" + stage + "/"));
      }
      for (String caller : List.of("cli", "workflows", "bench", "flex")) {
        broken.addAll(uses(classes("pipelines", "dev/symmim/pipelines/" + shared), "dev/symmim/pipelines/" + caller + "/"));
      }
    }
    assertEquals(List.of(), broken);
  }

  @Test
  public void transformsNeverUsePipelinesAndModelNeverUsesBeam() throws IOException {
    List<Path> transforms = classes("transforms", "dev/symmim/transforms");
    List<Path> model = classes("model", "dev/symmim/model");
    assertTrue("no classes found under transforms/target/classes", !transforms.isEmpty());
    assertTrue("no classes found under model/target/classes", !model.isEmpty());
    assertEquals(List.of(), uses(transforms, "dev/symmim/pipelines/"));
    assertEquals(List.of(), uses(model, "org/apache/beam/"));
    assertEquals(List.of(), uses(model, "dev/symmim/transforms/"));
  }

  @Test
  public void theCheckSeesAViolation() throws IOException {
    // The rule above would see it if a stage used another: the CLI (allowed to) uses every stage.
    assertTrue(!uses(classes("pipelines", "dev/symmim/pipelines/cli"), "dev/symmim/pipelines/embed/").isEmpty());
  }

  @Test
  public void everyPackageHasAPackageInfo() throws IOException {
    Set<String> missing = new TreeSet<>();
    for (String module : List.of("model", "transforms", "pipelines")) {
      Path src = ROOT.resolve(module).resolve("src/main/java");
      try (Stream<Path> s = Files.walk(src)) {
        for (Path dir : s.filter(Files::isDirectory).toList()) {
          boolean hasJava;
          try (Stream<Path> files = Files.list(dir)) {
            hasJava = files.anyMatch(f -> f.toString().endsWith(".java"));
          }
          if (hasJava && !Files.exists(dir.resolve("package-info.java"))) {
            missing.add(src.relativize(dir).toString());
          }
        }
      }
    }
    assertEquals(Set.of(), missing);
  }

  /** The compiled classes of {@code module} under {@code pkg} (a path like dev/symmim/pipelines/embed). */
  static List<Path> classes(String module, String pkg) throws IOException {
    Path dir = ROOT.resolve(module).resolve("target/classes").resolve(pkg);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".class")).sorted().toList();
    }
  }

  /** "Class uses prefix" for each class file whose constant pool names a class under {@code prefix}. */
  static List<String> uses(List<Path> classFiles, String prefix) throws IOException {
    List<String> out = new ArrayList<>();
    for (Path f : classFiles) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      if (text.contains(prefix)) {
        out.add(ROOT.relativize(f) + " uses " + prefix);
      }
    }
    return out;
  }
}
