package dev.symmim.transforms.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded mutations of a JSON file for fuzz tests: byte-level damage (truncation, invalid UTF-8) and
 * structural edits of one value picked at random anywhere in the tree (another type, removed,
 * null, a number beyond every type, an unknown field, an emptied container). The same (seed, case)
 * always gives the same bytes.
 */
final class JsonMutator {
  enum Kind {
    truncate, typeChange, missingField, nullValue, hugeNumber, extraField, emptyContainer, invalidUtf8
  }

  record Mutation(Kind kind, String detail, byte[] bytes) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HUGE = "\u0001huge\u0001";
  private static final String[] HUGE_NUMBERS = {
    "1e999", "-1e999", "123456789012345678901234567890", "-9223372036854775809", "4294967296", "0.000000001"
  };
  private static final int[][] BAD_UTF8 = {{0xff}, {0xc3, 0x28}, {0xe2, 0x82}, {0xed, 0xa0, 0x80}, {0xc0, 0xaf}, {0x80}};

  /** A value in the tree and where it hangs: {@code parent[key]} or {@code parent[index]}. */
  private record Slot(ContainerNode<?> parent, String key, int index, JsonNode value, String path) {}

  private JsonMutator() {}

  static Mutation mutate(byte[] original, long seed, int index) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index);
    Kind kind = Kind.values()[index % Kind.values().length];
    switch (kind) {
      case truncate -> {
        int length = random.nextInt(original.length);
        return new Mutation(kind, "cut to " + length + " of " + original.length, Arrays.copyOf(original, length));
      }
      case invalidUtf8 -> {
        int at = random.nextInt(original.length + 1);
        int[] bad = BAD_UTF8[random.nextInt(BAD_UTF8.length)];
        byte[] out = new byte[original.length + bad.length];
        System.arraycopy(original, 0, out, 0, at);
        for (int i = 0; i < bad.length; i++) {
          out[at + i] = (byte) bad[i];
        }
        System.arraycopy(original, at, out, at + bad.length, original.length - at);
        return new Mutation(kind, "bytes " + Arrays.toString(bad) + " at " + at, out);
      }
      default -> {
        JsonNode root = tree(original);
        List<Slot> slots = new ArrayList<>();
        collect(root, "$", slots);
        Slot slot = slots.get(random.nextInt(slots.size()));
        String detail = edit(kind, slot, random);
        String text = text(root);
        if (kind == Kind.hugeNumber) {
          String number = HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)];
          text = text.replace("\"" + HUGE + "\"", number);
          detail += " " + number;
        }
        return new Mutation(kind, detail, text.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static String text(JsonNode root) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode tree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("the original of a mutation must be valid JSON", e);
    }
  }

  private static void collect(JsonNode node, String path, List<Slot> slots) {
    if (node instanceof ObjectNode o) {
      for (var it = o.fields(); it.hasNext(); ) {
        var field = it.next();
        String p = path + "." + field.getKey();
        slots.add(new Slot(o, field.getKey(), -1, field.getValue(), p));
        collect(field.getValue(), p, slots);
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        String p = path + "[" + i + "]";
        slots.add(new Slot(a, null, i, a.get(i), p));
        collect(a.get(i), p, slots);
      }
    }
  }

  private static String edit(Kind kind, Slot slot, SplittableRandom random) {
    JsonNode v = slot.value();
    switch (kind) {
      case typeChange -> {
        JsonNode other;
        if (v.isNumber()) {
          other = random.nextBoolean() ? TextNode.valueOf(v.asText()) : TextNode.valueOf("fuzz");
        } else if (v.isTextual()) {
          other = IntNode.valueOf(7);
        } else if (v.isBoolean()) {
          other = IntNode.valueOf(1);
        } else {
          other = random.nextBoolean() ? TextNode.valueOf("fuzz") : BooleanNode.TRUE;
        }
        put(slot, other);
        return slot.path() + " " + v.getNodeType() + " -> " + other.getNodeType();
      }
      case missingField -> {
        if (slot.parent() instanceof ObjectNode o) {
          o.remove(slot.key());
        } else {
          ((ArrayNode) slot.parent()).remove(slot.index());
        }
        return "removed " + slot.path();
      }
      case nullValue -> {
        put(slot, NullNode.getInstance());
        return slot.path() + " = null";
      }
      case hugeNumber -> {
        put(slot, TextNode.valueOf(HUGE));
        return slot.path() + " =";
      }
      case extraField -> {
        ObjectNode target = v instanceof ObjectNode o ? o
            : slot.parent() instanceof ObjectNode o ? o : null;
        if (target == null) {
          ((ArrayNode) slot.parent()).add(IntNode.valueOf(1));
          return "extra element in the array of " + slot.path();
        }
        target.put("fuzzExtra", 1);
        return "extra field fuzzExtra beside/in " + slot.path();
      }
      case emptyContainer -> {
        JsonNode empty = v.isArray() || random.nextBoolean()
            ? JsonNodeFactory.instance.arrayNode() : JsonNodeFactory.instance.objectNode();
        put(slot, empty);
        return slot.path() + " = " + empty;
      }
      default -> throw new AssertionError(kind);
    }
  }

  private static void put(Slot slot, JsonNode value) {
    if (slot.parent() instanceof ObjectNode o) {
      o.set(slot.key(), value);
    } else {
      ((ArrayNode) slot.parent()).set(slot.index(), value);
    }
  }
}
