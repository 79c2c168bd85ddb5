package ai.onnxhap.tf.grad;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TType;

/** Shared pieces of the gradient classes. */
final class GradOps {
    private GradOps() {
    }

    /**
     * The op's element type is only known at graph-build time; an upstream gradient always has the type of the
     * op output it belongs to, which for every op here is the type of the op's floating inputs.
     */
    @SuppressWarnings("unchecked")
    static <T extends TType> Operand<T> as(Operand<?> operand) {
        return (Operand<T>) operand;
    }

    /** "No gradient" for an input: zeros of its shape and type. */
    static Operand<?> none(Ops tf, Operand<?> input) {
        return tf.zerosLike(input);
    }
}
