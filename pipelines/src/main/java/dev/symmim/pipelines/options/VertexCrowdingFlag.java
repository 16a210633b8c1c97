package dev.symmim.pipelines.options;

/**
 * {@code --vertexCrowdingTag}: what each Vertex AI record's {@code crowding_tag} is (see
 * {@link dev.symmim.transforms.embed.VertexExport}): none, or the example's label.
 */
public enum VertexCrowdingFlag {
  none, label
}
