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
    } catch (JsonParseException | NumberFormatException e) { // syntax, or a string where a number belongs
      throw new IOException("malformed " + file + ": " + oneLine(e), e);
    } catch (RuntimeException e) {
      // Gson wraps what a record's constructor refuses ("Failed to invoke constructor ...").
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof IllegalArgumentException refused && !(t instanceof NumberFormatException)) {
          throw new IllegalArgumentException(file + ": " + oneLine(refused), e);
        }
      }
      // An array where an object belongs (IllegalStateException), a null the constructor dereferences.
      throw new IOException("malformed " + file + ": " + oneLine(innermost(e)), e);
    }
    if (value == null) {
      throw new IOException("malformed " + file + ": no JSON value");
    }
    return value;
  }

  private static Throwable innermost(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof NullPointerException) {
      message = "a value is missing (" + message + ")";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
