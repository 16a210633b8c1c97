package dev.symmim.model.checkpoint;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * The safetensors format as its specification (huggingface/safetensors README, "Format") states it:
 * 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON starting with '{' (trailing
 * spaces allowed), {@code dtype}/{@code shape}/{@code data_offsets} per tensor relative to the byte
 * buffer, an optional string-to-string {@code __metadata__}, little-endian row-major data, the buffer
 * covered exactly (no holes, no overlaps), no duplicate names. No reference implementation runs in
 * this JVM (the parity IT cross-checks with an independent Python reader and writer); the files
 * here are built byte by byte from the spec's text.
 */
public class SafetensorsTest {
  /** A file assembled by hand: {@code header} (padded with {@code pad} spaces), then {@code data}. */
  static byte[] file(String header, int pad, byte[] data) {
    byte[] h = (header + " ".repeat(pad)).getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  static byte[] littleEndianFloats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  @Test
  public void readsAHandAssembledFileWithMetadataPaddingAndTensorsOutOfOffsetOrder() {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.writeBytes(littleEndianFloats(1f, 2f, 3f, 4f, 5f, 6f)); // "b" [2, 3] at 0..24
    data.writeBytes(littleEndianFloats(-0.5f));                   // "a" [] (a scalar) at 24..28
    String header = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[24,28]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";
    Safetensors.Contents c = Safetensors.read(file(header, 5, data.toByteArray()));
    assertEquals(Map.of("format", "pt"), c.metadata());
    assertEquals(List.of("a", "b"), List.copyOf(c.tensors().keySet()));
    assertArrayEquals(new long[] {2, 3}, c.tensor("b").shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.tensor("b").data(), 0f);
    assertArrayEquals(new long[] {}, c.tensor("a").shape());
    assertArrayEquals(new float[] {-0.5f}, c.tensor("a").data(), 0f);
  }

  @Test
  public void writesTheSpecsLayoutByteForByte() {
    NamedTensor w = new NamedTensor("w", new long[] {2, 2}, new float[] {1.5f, -2f, 0f, Float.MIN_VALUE});
    NamedTensor b = new NamedTensor("b", new long[] {3}, new float[] {7f, 8f, 9f});
    byte[] bytes = Safetensors.write(List.of(w, b), Map.of("format", "pt"));
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertEquals("header padded to a multiple of 8 (data aligned)", 0, (8 + n) % 8);
    assertEquals('{', header.charAt(0));
    assertEquals("{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[16,28]}}", header.strip());
    assertTrue("only spaces after the JSON", header.substring(header.strip().length()).isBlank());
    assertEquals(8 + n + 28, bytes.length);
    byte[] expectedData = new byte[28];
    System.arraycopy(littleEndianFloats(1.5f, -2f, 0f, Float.MIN_VALUE), 0, expectedData, 0, 16);
    System.arraycopy(littleEndianFloats(7f, 8f, 9f), 0, expectedData, 16, 12);
    byte[] data = new byte[28];
    System.arraycopy(bytes, (int) (8 + n), data, 0, 28);
    assertArrayEquals(expectedData, data);
  }

  @Test
  public void roundTripIsBitExactIncludingNanInfAndNegativeZero() {
    float[] values = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 1e-45f, 3.4e38f, 0.1f, -7.25f};
    NamedTensor t = new NamedTensor("blocks.0.attn.qkv.weight", new long[] {2, 4}, values);
    NamedTensor empty = new NamedTensor("empty", new long[] {0, 3}, new float[0]);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("num_heads", "2");
    meta.put("mean", "[0.286]");
    meta.put("unicode", "é \"quoted\" \\ back");
    Safetensors.Contents c = Safetensors.read(Safetensors.write(List.of(t, empty), meta));
    assertEquals(meta, c.metadata());
    float[] back = c.tensor(t.name()).data();
    for (int i = 0; i < values.length; i++) {
      assertEquals("value " + i, Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(back[i]));
    }
    assertArrayEquals(new long[] {0, 3}, c.tensor("empty").shape());
  }

  @Test
  public void readsHalfBfloatAndDoubleTensorsAsFloat() {
    // F16 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 2^-24 = 0x0001; BF16 1.5 = 0x3FC0.
    ByteBuffer d = ByteBuffer.allocate(8 + 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
    d.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x7BFF).putShort((short) 0x0001);
    d.putShort((short) 0x3FC0);
    d.putDouble(0.1);
    String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
        + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[8,10]},"
        + "\"f64\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[10,18]}}";
    Safetensors.Contents c = Safetensors.read(file(header, 0, d.array()));
    assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f}, c.tensor("h").data(), 0f);
    assertArrayEquals(new float[] {1.5f}, c.tensor("bf").data(), 0f);
    assertArrayEquals(new float[] {0.1f}, c.tensor("f64").data(), 0f);
  }

  @Test
  public void refusesWhatTheSpecForbids() {
    byte[] four = littleEndianFloats(1f);
    String ok = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    Safetensors.read(file(ok, 0, four)); // the baseline is valid
    assertRefused("not start with '{'", file(" " + ok, 0, four));
    assertRefused("leaving a hole", file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 0,
        littleEndianFloats(1f, 2f)));
    assertRefused("overlapping", file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 0, four));
    assertRefused("data buffer holds 8", file(ok, 0, littleEndianFloats(1f, 2f))); // trailing bytes
    assertRefused("tensor x of shape [2]", file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 0,
        four));
    assertRefused("names x twice", file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", 0, four));
    assertRefused("dtype I64", file("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 0,
        littleEndianFloats(1f, 2f)));
    assertRefused("not a string", file("{\"__metadata__\":{\"n\":2}," + ok.substring(1), 0, four));
    assertRefused("negative", file("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 0, four));
    byte[] truncated = file(ok, 0, four);
    ByteBuffer.wrap(truncated).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 10_000);
    assertRefused("does not fit", truncated);
    assertRefused("less than the 8-byte", new byte[5]);
  }

  @Test
  public void writerRefusesDuplicateAndReservedNames() {
    NamedTensor x = new NamedTensor("x", new long[] {1}, new float[] {1});
    assertThrows(IllegalArgumentException.class, () -> Safetensors.write(List.of(x, x), Map.of()));
    NamedTensor meta = new NamedTensor(Safetensors.METADATA, new long[] {1}, new float[] {1});
    assertThrows(IllegalArgumentException.class, () -> Safetensors.write(List.of(meta), Map.of()));
  }

  private static void assertRefused(String messagePart, byte[] bytes) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(bytes));
    assertTrue("expected '" + messagePart + "' in: " + e.getMessage(), e.getMessage().contains(messagePart));
  }
}
