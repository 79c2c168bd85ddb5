package ai.onnxhap.graph.deps;

/**
 * An integer attribute that counts units along a cut axis (a depthwise Conv's {@code group} is its channel
 * count; a fused attention op's {@code num_heads} is its hidden size over the head size): after pruning it
 * becomes the new size of (value, axis) divided by {@code divisor}.
 */
public record AttributeEdit(String node, String attribute, String value, int axis, long divisor) {
}
