package ai.onnxhap.graph.deps;

/**
 * An entry of a constant that a Reshape uses as its target shape and that spells out the size of a cut
 * axis: after pruning it becomes the new size of (value, axis).
 *
 * @param constant the initializer or Constant node output holding the literal
 * @param reader   the node that reads {@code constant} on the way to the Reshape (the Reshape itself or a
 *                 Concat building the shape), so a constant shared with other nodes can be copied first
 * @param element  position of the entry in the constant (flattened)
 */
public record ShapeEdit(String constant, String reader, int element, String value, int axis) {
}
