package dev.symmim.transforms.images;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The image fixtures under src/test/resources/fixtures (see MakeFixtures.java there). */
public final class Fixtures {
  private Fixtures() {}

  public static Path folder() {
    try {
      return Path.of(Fixtures.class.getResource("/fixtures/folder").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] bytes(String relative) throws IOException {
    return Files.readAllBytes(folder().resolve(relative));
  }
}
