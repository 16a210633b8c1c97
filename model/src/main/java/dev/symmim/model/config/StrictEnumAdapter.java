package dev.symmim.model.config;

import com.google.gson.Gson;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.util.Arrays;

/**
 * JSON of the recipe enums ({@code @JsonAdapter} on each): written by name as Gson does, but an unknown
 * name is refused, naming it. Gson's own enum adapter reads an unknown name as null, which the records
 * read as "field absent" (a config.json older than the field) and so would silently turn into the
 * default.
 */
final class StrictEnumAdapter implements TypeAdapterFactory {
  @Override
  public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
    Class<? super T> raw = type.getRawType();
    if (!raw.isEnum()) {
      return null;
    }
    Object[] constants = raw.getEnumConstants();
    return new TypeAdapter<T>() {
      @Override
      public void write(JsonWriter out, T value) throws IOException {
        if (value == null) {
          out.nullValue();
        } else {
          out.value(((Enum<?>) value).name());
        }
      }

      @Override
      @SuppressWarnings("unchecked")
      public T read(JsonReader in) throws IOException {
        if (in.peek() == JsonToken.NULL) {
          in.nextNull();
          return null;
        }
        String name = in.nextString();
        for (Object c : constants) {
          if (((Enum<?>) c).name().equals(name)) {
            return (T) c;
          }
        }
        throw new IllegalArgumentException(raw.getSimpleName() + " must be one of "
            + Arrays.stream(constants).map(c -> ((Enum<?>) c).name()).toList() + ", got '" + name + "'");
      }
    };
  }
}
