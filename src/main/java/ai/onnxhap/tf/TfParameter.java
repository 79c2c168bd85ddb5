package ai.onnxhap.tf;

import ai.onnxhap.model.DataType;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;

/**
 * One ONNX initializer held in a TF variable, in ONNX layout and shape (a Conv kernel stays [M, C/g, kH, kW];
 * handlers transpose it in the graph), so values and gradients map one to one onto the initializer.
 */
public final class TfParameter {
    private final String name;
    private final boolean trainable;
    private final DataType type;
    private final long[] shape;
    private final Variable<?> variable;
    private final Operand<?> value;
    private final Placeholder<?> feed;
    private final Assign<?> assign;

    TfParameter(String name, boolean trainable, DataType type, long[] shape, Variable<?> variable,
                Operand<?> value, Placeholder<?> feed, Assign<?> assign) {
        this.name = name;
        this.trainable = trainable;
        this.type = type;
        this.shape = shape.clone();
        this.variable = variable;
        this.value = value;
        this.feed = feed;
        this.assign = assign;
    }

    /** The initializer's name. */
    public String name() {
        return name;
    }

    /** False for state that gradient descent must not touch (BatchNorm running statistics, RNN initial state). */
    public boolean trainable() {
        return trainable;
    }

    public DataType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The TF variable (a reference variable, for {@code tf.train.apply*} ops and assignments). */
    public Operand<?> variable() {
        return variable;
    }

    /**
     * The value every ONNX consumer reads (an Identity of the variable). Gradients may be taken with respect
     * to it or to {@link #variable()}; they are the same.
     */
    public Operand<?> value() {
        return value;
    }

    Placeholder<?> feed() {
        return feed;
    }

    Assign<?> assign() {
        return assign;
    }
}
