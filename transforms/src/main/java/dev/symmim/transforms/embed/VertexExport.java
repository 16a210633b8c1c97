package dev.symmim.transforms.embed;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.symmim.schemas.Embedding;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * How {@code symmim embed} exports embeddings for Vertex AI Vector Search: one JSON object per line in
 * {@code vertex/part-SSSSS-of-NNNNN.json}, in Vector Search's documented input format
 * ({@code cloud.google.com/vertex-ai/docs/vector-search/setup/format-structure}):
 *
 * <pre>
 * {"id": "train0", "embedding": [..],
 *  "restricts": [{"namespace": "split", "allow": ["train"]}, {"namespace": "label", "allow": ["even"]}],
 *  "crowding_tag": "even"}
 * </pre>
 *
 * <p>{@code restricts} always names the split (so a query can be limited to the train bank) and, for a
 * labelled example, its class: the example's class name, else the dataset's class name for its label
 * index, else the index as a string. {@code crowding_tag} is written only with {@link #crowdingByLabel()}
 * and only for a labelled example (the label, as above), so that a query can cap the neighbours per
 * class. Vectors are written as computed (not normalised): the index metadata
 * ({@link VertexIndexMetadata}) asks Vertex to normalise them.
 *
 * @param crowdingByLabel whether each labelled record gets {@code "crowding_tag": "<label>"}
 * @param approximateNeighborsCount the index's {@code approximateNeighborsCount} (neighbours found by the
 *     tree-AH search before exact reordering)
 */
public record VertexExport(boolean crowdingByLabel, int approximateNeighborsCount) implements Serializable {
  /** The default {@code approximateNeighborsCount}, as in Vertex's examples. */
  public static final int DEFAULT_APPROXIMATE_NEIGHBORS = 150;
  /** Restrict namespace of the example's split ({@code train} or {@code val}). */
  public static final String SPLIT_NAMESPACE = "split";
  /** Restrict namespace of the example's class. */
  public static final String LABEL_NAMESPACE = "label";

  public VertexExport {
    if (approximateNeighborsCount < 1) {
      throw new IllegalArgumentException("approximateNeighborsCount must be >= 1, got " + approximateNeighborsCount);
    }
  }

  /** No crowding tag, {@value #DEFAULT_APPROXIMATE_NEIGHBORS} approximate neighbours. */
  public static VertexExport defaults() {
    return new VertexExport(false, DEFAULT_APPROXIMATE_NEIGHBORS);
  }

  /**
   * The restrict token of {@code e}'s class: its class name, else {@code classes[label]}, else the label
   * index; null when unlabelled (label &lt; 0).
   */
  public static String labelToken(Embedding e, List<String> classes) {
    if (e.getLabel() < 0) {
      return null;
    }
    if (e.getLabelName() != null) {
      return e.getLabelName().toString();
    }
    if (classes != null && e.getLabel() < classes.size() && classes.get(e.getLabel()) != null) {
      return classes.get(e.getLabel());
    }
    return Integer.toString(e.getLabel());
  }

  /** Writes {@code e} as one Vector Search input object (the caller separates objects by newlines). */
  public void write(JsonGenerator g, Embedding e, List<String> classes) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", e.getId().toString());
    g.writeArrayFieldStart("embedding");
    for (Float x : e.getVector()) {
      g.writeNumber(x);
    }
    g.writeEndArray();
    String label = labelToken(e, classes);
    g.writeArrayFieldStart("restricts");
    restrict(g, SPLIT_NAMESPACE, e.getSplit().toString());
    if (label != null) {
      restrict(g, LABEL_NAMESPACE, label);
    }
    g.writeEndArray();
    if (crowdingByLabel && label != null) {
      g.writeStringField("crowding_tag", label);
    }
    g.writeEndObject();
  }

  private static void restrict(JsonGenerator g, String namespace, String token) throws IOException {
    g.writeStartObject();
    g.writeStringField("namespace", namespace);
    g.writeArrayFieldStart("allow");
    g.writeString(token);
    g.writeEndArray();
    g.writeEndObject();
  }
}
