package dev.symmim.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;

import dev.symmim.pipelines.cli.Symmim;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Class names, paths and links holding {@code < > " ' &} render as text in the report pages: a dataset whose
 * class folders are named like markup goes through the real prepare stage, and its page shows the names escaped.
 */
public class ReportEscapingTest {
  static final String MARKUP = "<b>bold & \"quoted\"";  // no "/": a folder name
  static final String APOSTROPHE = "it's <i>";

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void classNamesAndLinksAreEscapedInTheDatasetPage() throws Exception {
    Path input = tmp.newFolder("images").toPath();
    Random random = new Random(7);
    for (String label : new String[] {MARKUP, APOSTROPHE}) {
      Path dir = Files.createDirectories(input.resolve(label));
      for (int i = 0; i < 3; i++) {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) {
          for (int x = 0; x < 8; x++) {
            image.getRaster().setSample(x, y, 0, random.nextInt(256));
          }
        }
        ImageIO.write(image, "png", dir.resolve(i + ".png").toFile());
      }
    }
    Path data = tmp.getRoot().toPath().resolve("data");
    assertEquals(0, Symmim.run(new String[] {"prepare", "--runner=DirectRunner", "--input=" + input,
        "--output=" + data, "--imageSize=8", "--valFraction=0"}));

    Path page = DatasetReportPage.write(data.toString(), tmp.getRoot().toPath().resolve("page/dataset.html"),
        Map.of("a'b.html", "x<y & \"z\""));
    String html = Files.readString(page, StandardCharsets.UTF_8);
    assertThat(html, containsString("<td>&lt;b&gt;bold &amp; &quot;quoted&quot;</td>"));
    assertThat(html, containsString("<td>it&#39;s &lt;i&gt;</td>"));
    assertThat(html, containsString("<a href=\"a&#39;b.html\">x&lt;y &amp; &quot;z&quot;</a>"));
    assertThat(html, not(containsString("<b>bold")));
    assertThat(html, not(containsString("<i></td>")));
  }
}
