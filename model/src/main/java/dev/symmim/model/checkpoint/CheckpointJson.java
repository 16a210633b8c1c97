package dev.symmim.model.checkpoint;

import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Reads a checkpoint's JSON file ({@code config.json}, {@code state.json}) with errors that name the
 * file: bytes that are not UTF-8, malformed JSON, a value of the wrong type or a config that fails
 * validation are reported in one line with the path, never as a bare Gson exception.
 */
public final class CheckpointJson {
  private CheckpointJson() {}

  /**
   * {@code parser} applied to the text of {@code file}. Malformed content becomes an {@link IOException}
   * "malformed FILE: reason"; a well-formed value the parser refuses keeps its {@link
   * IllegalArgumentException} (a user error), its message prefixed with the file.
   */
  public static <T> T read(Path file, Function<String, T> parser) throws IOException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new IOException("malformed " + file + ": not UTF-8 text (" + e + ")", e);
    }
    T value;
    try {
      value = parser.apply(text);
    } catch (JsonParseException | NumberFormatException | IllegalStateException | ClassCastException
        | NullPointerException | UnsupportedOperationException e) {
      // Gson's syntax errors, a string where a number belongs, an array where an object belongs.
      throw new IOException("malformed " + file + ": " + oneLine(e), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + oneLine(e), e);
    }
    if (value == null) {
      throw new IOException("malformed " + file + ": no JSON value");
    }
    return value;
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
