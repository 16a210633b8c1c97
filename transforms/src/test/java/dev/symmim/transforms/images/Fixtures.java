package dev.symmim.transforms.images;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The image fixtures under src/test/resources/fixtures: {@code folder} (see MakeFixtures.java
 * there) and {@code cmyk}, CMYK and YCCK JPEGs of four colour quadrants (see make_cmyk_fixtures.py).
 */
public final class Fixtures {
  private Fixtures() {}

  public static Path folder() {
    return resource("folder");
  }

  public static Path cmykFolder() {
    return resource("cmyk");
  }

  private static Path resource(String name) {
    try {
      return Path.of(Fixtures.class.getResource("/fixtures/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] cmykBytes(String name) throws IOException {
    return Files.readAllBytes(cmykFolder().resolve(name));
  }

  public static byte[] bytes(String relative) throws IOException {
    return Files.readAllBytes(folder().resolve(relative));
  }
}
