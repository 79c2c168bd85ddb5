package ai.onnxhap.graph.deps;

/**
 * An integer attribute that counts units along a cut axis (a depthwise Conv's {@code group} is its channel
 * count; a fused attention op's {@code num_heads} is its hidden size over the head size; one entry of an
 * older Split's {@code split} list is an output's width): after pruning it becomes the new size of
 * (value, axis) divided by {@code divisor}.
 *
 * @param element the entry of an INTS attribute, or -1 for an INT attribute
 */
public record AttributeEdit(String node, String attribute, int element, String value, int axis, long divisor) {
}
