package ai.onnxhap.graph.deps;

/**
 * An integer attribute that equals the size of a cut axis (a depthwise Conv's {@code group} is its
 * channel count): after pruning it becomes the new size of (value, axis).
 */
public record AttributeEdit(String node, String attribute, String value, int axis) {
}
