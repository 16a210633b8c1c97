package dev.symmim.model.checkpoint;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors file format (Hugging Face), written and read without any library:
 *
 * <pre>
 * 8 bytes   N, unsigned little-endian 64-bit: the header's length in bytes
 * N bytes   UTF-8 JSON object, starting with '{' (may be padded with spaces at the end):
 *           {"name": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...,
 *            "__metadata__": {"key": "string value", ...}}      (metadata optional, strings only)
 * rest      the byte buffer: every tensor's values, row-major, little-endian, at [begin, end) relative
 *           to the buffer's start; the tensors cover the buffer exactly (no holes, no overlaps)
 * </pre>
 *
 * <p>The writer stores F32 tensors in the given order and pads the header with spaces to a multiple
 * of 8 bytes (as the reference writer does, so the data is aligned). The reader checks everything
 * the format requires (header start and length, known dtype, offsets matching the shape, no
 * duplicate names, a buffer covered exactly) and converts F32, F16, BF16 and F64 tensors to float
 * (public checkpoints come in all four); any violation is an {@link IllegalArgumentException}
 * naming the tensor.
 */
public final class Safetensors {
  /** Header key reserved for string-to-string metadata. */
  public static final String METADATA = "__metadata__";
  /** Headers above this size are refused (the reference implementation's limit). */
  static final long MAX_HEADER = 100_000_000L;

  private Safetensors() {}

  /** The tensors (in file order) and the metadata of a safetensors file. */
  public record Contents(Map<String, NamedTensor> tensors, Map<String, String> metadata) {
    public Contents {
      tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The tensor of that name; fails naming it (and the file's names) if absent. */
    public NamedTensor tensor(String name) {
      NamedTensor t = tensors.get(name);
      if (t == null) {
        throw new IllegalArgumentException("safetensors file has no tensor " + name);
      }
      return t;
    }
  }

  // ---- writing ----

  /** The bytes of a safetensors file holding {@code tensors} (F32, in this order) and {@code metadata}. */
  public static byte[] write(List<NamedTensor> tensors, Map<String, String> metadata) {
    Set<String> names = new HashSet<>();
    StringWriter json = new StringWriter();
    long offset = 0;
    try (JsonWriter w = new JsonWriter(json)) {
      w.setHtmlSafe(false);
      w.beginObject();
      if (metadata != null && !metadata.isEmpty()) {
        w.name(METADATA).beginObject();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
          w.name(e.getKey()).value(e.getValue());
        }
        w.endObject();
      }
      for (NamedTensor t : tensors) {
        if (t.name().equals(METADATA) || !names.add(t.name())) {
          throw new IllegalArgumentException("tensor name " + t.name() + " is reserved or used twice");
        }
        long bytes = 4L * t.data().length;
        w.name(t.name()).beginObject();
        w.name("dtype").value("F32");
        w.name("shape").beginArray();
        for (long d : t.shape()) {
          w.value(d);
        }
        w.endArray();
        w.name("data_offsets").beginArray().value(offset).value(offset + bytes).endArray();
        w.endObject();
        offset += bytes;
      }
      w.endObject();
    } catch (IOException e) {
      throw new IllegalStateException(e); // a StringWriter does not fail
    }
    byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (header.length + 7) / 8 * 8;
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded);
    out.put(header);
    for (int i = header.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    for (NamedTensor t : tensors) {
      for (float v : t.data()) {
        out.putFloat(v);
      }
    }
    return out.array();
  }

  // ---- reading ----

  /** Parses and checks a whole safetensors file. */
  public static Contents read(byte[] file) {
    if (file.length < 8) {
      throw new IllegalArgumentException("not a safetensors file: " + file.length + " bytes, less than the 8-byte "
          + "header length");
    }
    long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 2 || n > MAX_HEADER || n > file.length - 8L) {
      throw new IllegalArgumentException("not a safetensors file: header length " + Long.toUnsignedString(n)
          + " does not fit the file's " + file.length + " bytes");
    }
    if (file[8] != '{') {
      throw new IllegalArgumentException("not a safetensors file: the header does not start with '{'");
    }
    String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
    int dataStart = 8 + (int) n;
    long bufferLength = file.length - (long) dataStart;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    try (JsonReader r = new JsonReader(new StringReader(header))) {
      Set<String> seen = new HashSet<>();
      r.beginObject();
      while (r.hasNext()) {
        String name = r.nextName();
        if (!seen.add(name)) {
          throw new IllegalArgumentException("safetensors header names " + name + " twice");
        }
        if (name.equals(METADATA)) {
          readMetadata(r, metadata);
        } else {
          entries.add(readEntry(r, name));
        }
      }
      r.endObject();
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw new IllegalArgumentException("safetensors header has data after its JSON object");
      }
    } catch (IOException | JsonParseException | IllegalStateException e) {
      throw new IllegalArgumentException("safetensors header is not valid JSON of the format: " + e.getMessage(), e);
    }
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong((Entry e) -> e.begin).thenComparingLong(e -> e.end));
    long expected = 0;
    for (Entry e : byOffset) {
      if (e.begin != expected) {
        throw new IllegalArgumentException("tensor " + e.name + " starts at byte " + e.begin + " of the data buffer, "
            + (e.begin < expected ? "overlapping the previous tensor" : "leaving a hole") + " (expected " + expected + ")");
      }
      expected = e.end;
    }
    if (expected != bufferLength) {
      throw new IllegalArgumentException("the tensors cover " + expected + " bytes but the data buffer holds "
          + bufferLength);
    }
    Map<String, NamedTensor> tensors = new LinkedHashMap<>();
    for (Entry e : entries) {
      tensors.put(e.name, new NamedTensor(e.name, e.shape, decode(file, dataStart + (int) e.begin, e)));
    }
    return new Contents(tensors, metadata);
  }

  private record Entry(String name, Dtype dtype, long[] shape, long begin, long end) {}

  private static void readMetadata(JsonReader r, Map<String, String> metadata) throws IOException {
    r.beginObject();
    while (r.hasNext()) {
      String key = r.nextName();
      if (r.peek() != JsonToken.STRING) {
        throw new IllegalArgumentException("__metadata__ value of " + key + " is not a string (" + r.peek() + ")");
      }
      metadata.put(key, r.nextString());
    }
    r.endObject();
  }

  private static Entry readEntry(JsonReader r, String name) throws IOException {
    Dtype dtype = null;
    long[] shape = null;
    long[] offsets = null;
    r.beginObject();
    while (r.hasNext()) {
      String key = r.nextName();
      switch (key) {
        case "dtype" -> {
          String s = r.nextString();
          dtype = Dtype.of(s, name);
        }
        case "shape" -> shape = longs(r, name, "shape");
        case "data_offsets" -> offsets = longs(r, name, "data_offsets");
        default -> throw new IllegalArgumentException("tensor " + name + " has an unknown header field " + key);
      }
    }
    r.endObject();
    if (dtype == null || shape == null || offsets == null) {
      throw new IllegalArgumentException("tensor " + name + " lacks dtype, shape or data_offsets in the header");
    }
    if (offsets.length != 2 || offsets[0] > offsets[1]) {
      throw new IllegalArgumentException("tensor " + name + " has data_offsets " + Arrays.toString(offsets)
          + ", want [begin, end] with begin <= end");
    }
    long count = 1;
    for (long d : shape) {
      count = Math.multiplyExact(count, d);
    }
    if (Math.multiplyExact(count, dtype.bytes) != offsets[1] - offsets[0]) {
      throw new IllegalArgumentException("tensor " + name + " of shape " + Arrays.toString(shape) + " and dtype "
          + dtype + " needs " + count * dtype.bytes + " bytes but data_offsets " + Arrays.toString(offsets) + " give "
          + (offsets[1] - offsets[0]));
    }
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor " + name + " has " + count + " values, more than one Java array holds");
    }
    return new Entry(name, dtype, shape, offsets[0], offsets[1]);
  }

  private static long[] longs(JsonReader r, String name, String field) throws IOException {
    List<Long> values = new ArrayList<>();
    r.beginArray();
    while (r.hasNext()) {
      long v = r.nextLong();
      if (v < 0) {
        throw new IllegalArgumentException("tensor " + name + " has a negative " + field + " entry " + v);
      }
      values.add(v);
    }
    r.endArray();
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  private static float[] decode(byte[] file, int start, Entry e) {
    int count = (int) ((e.end - e.begin) / e.dtype.bytes);
    ByteBuffer b = ByteBuffer.wrap(file, start, (int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[count];
    switch (e.dtype) {
      case F32 -> b.asFloatBuffer().get(out);
      case F64 -> {
        for (int i = 0; i < count; i++) {
          out[i] = (float) b.getDouble();
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          out[i] = halfToFloat(b.getShort());
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          out[i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
        }
      }
    }
    return out;
  }

  /** IEEE 754 binary16 to float (Java 17 has no {@code Float.float16ToFloat}). */
  static float halfToFloat(short half) {
    int h = half & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0x1F) { // infinity or NaN
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    if (exponent == 0) { // zero or subnormal: mantissa * 2^-24
      float v = mantissa * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  /** The floating-point dtypes read (others, e.g. integer tensors, are refused by name). */
  enum Dtype {
    F32(4), F64(8), F16(2), BF16(2);

    final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }

    static Dtype of(String s, String tensor) {
      for (Dtype d : values()) {
        if (d.name().equals(s)) {
          return d;
        }
      }
      throw new IllegalArgumentException("tensor " + tensor + " has dtype " + s + "; only F32, F16, BF16 and F64 "
          + "tensors can be read");
    }
  }
}
