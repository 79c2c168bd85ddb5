package ai.onnxhap.graph.deps;

/**
 * An entry of a shape that a Reshape/Expand/Split uses and that must follow the size of a cut axis: after
 * pruning it becomes the new size of (value, axis), written in one of three ways.
 *
 * @param constant the initializer or Constant node output holding the literal ({@link Form#LITERAL},
 *                 {@link Form#PRODUCT}, {@link Form#QUOTIENT}), or the computed value that is replaced by a
 *                 literal ({@link Form#FROZEN})
 * @param reader   the node that reads {@code constant} on the way to the shape (a Concat building it, the
 *                 Mul of a head count, the Reshape itself), so a constant shared with other nodes is copied
 *                 first and only this path changes
 * @param element  position of the entry in the constant (flattened)
 * @param other    for PRODUCT and QUOTIENT, the value (at analysis shapes) of the reader's other operand
 */
public record ShapeEdit(String constant, String reader, int element, String value, int axis, Form form,
                        long other) {

    public enum Form {
        /** The entry is the literal itself: it becomes the new size. */
        LITERAL,
        /** The entry is other × literal (batch · heads): the literal becomes new size / other. */
        PRODUCT,
        /** The entry is other / literal: the literal becomes other / new size. */
        QUOTIENT,
        /**
         * The entry is computed from a dimension the cut does not change (the residual width read by Shape
         * where a head merge needs heads·head size): the reader gets a literal instead.
         */
        FROZEN,
        /**
         * The entry is a position on the cut axis (a Slice bound, {@code other}): it becomes that position
         * less the removed indices below it.
         */
        POSITION
    }

    public ShapeEdit(String constant, String reader, int element, String value, int axis) {
        this(constant, reader, element, value, axis, Form.LITERAL, 1);
    }

    /** The entry's new content for a new size of the cut axis. */
    public long literalFor(long newSize) {
        return switch (form) {
            case LITERAL, FROZEN -> newSize;
            case PRODUCT -> exact(newSize, other);
            case POSITION -> throw new IllegalStateException("a position follows the removed indices, not a size");
            case QUOTIENT -> exact(other, newSize);
        };
    }

    private long exact(long a, long b) {
        if (b == 0 || a % b != 0) {
            throw new IllegalStateException("shape entry '" + constant + "' cannot express " + a + " / " + b);
        }
        return a / b;
    }
}
