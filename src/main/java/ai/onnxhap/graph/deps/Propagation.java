package ai.onnxhap.graph.deps;

import ai.onnxhap.graph.Node;
import ai.onnxhap.model.Tensor;

/** What an {@link OpRule} sees and reports while a group spreads through one node. */
public interface Propagation {
    /** Static shape of a value or initializer, or null when unknown. */
    long[] shape(String value);

    boolean isInitializer(String name);

    /** The model's default-domain opset: attribute defaults changed across versions. */
    long opset();

    /** A value's folded integer constant (see ConstantFolder), or null. */
    Tensor constant(String value);

    /** A value known before running: an initializer (any type) or a folded integer constant; null otherwise. */
    Tensor known(String value);

    /** Dimension {@code axis} of a value (activation) is cut with this map; it spreads further from there. */
    void value(String value, int axis, IndexMap map);

    /** A weight slice is cut; weights do not spread the group further. */
    void parameter(String initializer, int axis, IndexMap map, Member.Role role);

    /** The right call for an input that may be either a weight or an activation. */
    default void tensor(String name, int axis, IndexMap map, Member.Role roleIfParameter) {
        if (isInitializer(name)) {
            parameter(name, axis, map, roleIfParameter);
        } else {
            value(name, axis, map);
        }
    }

    /** Entry {@code element} of a Reshape/Expand target must follow the size of (value, axis). */
    void shapeEntry(Node node, int shapeInput, int element, String value, int axis);

    /**
     * Entry {@code element} of input {@code input} (a Slice bound) is the position {@code position} on the cut
     * axis of {@code value}: it must become that position less the removed indices below it.
     */
    void positionEntry(Node node, int input, int element, String value, int axis, long position);

    void attributeEdit(AttributeEdit edit);

    /**
     * A Shape node reads the cut axis: whatever it computes at run time (a reshape target, a head size)
     * changes with the cut, so everything shaped by it must be in the group.
     */
    void shapeRead(Node shapeNode, int axis);

    /** Removal will not be output-equivalent to masking. */
    void inexact(String why);

    /**
     * A statistic over the cut axis (a normalisation's mean) will run over fewer elements: acceptable for the
     * residual width of a transformer (inexact, a {@code hidden} group), a refusal for any other group.
     */
    void statistic(String why);

    /** Stops the group: nothing is cut, and the report names the reason. */
    NotPrunable notPrunable(String reason);

    /** Thrown by rules through {@link #notPrunable}. */
    final class NotPrunable extends RuntimeException {
        public NotPrunable(String reason) {
            super(reason, null, false, false);
        }
    }
}
