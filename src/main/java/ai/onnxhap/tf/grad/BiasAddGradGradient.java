package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.BiasAddGrad;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * BiasAddGrad(dy) sums dy over every axis but the channel axis (last for NHWC, 1 for NCHW); its gradient spreads
 * the upstream [C] vector back over dy's shape.
 */
final class BiasAddGradGradient implements OpGradient<BiasAddGrad.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<BiasAddGrad.Inputs<?>> inputsClass() {
        return (Class) BiasAddGrad.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, BiasAddGrad.Inputs<?> op, List<Output<?>> upstream) {
        Operand<TType> up = GradOps.as(upstream.get(0));
        Operand<TInt32> shape = tf.shape(op.outBackprop);
        Operand<TType> perChannel = up;
        if ("NCHW".equals(op.dataFormat)) {
            // [C] → [C, 1, ..., 1] so that broadcasting lines C up with axis 1.
            Operand<TInt32> spatial = tf.math.sub(tf.rank(op.outBackprop), tf.constant(2));
            Operand<TInt32> ones = tf.fill(tf.expandDims(spatial, tf.constant(0)), tf.constant(1));
            perChannel = tf.reshape(up, tf.concat(List.of(tf.constant(new int[] {-1}), ones), tf.constant(0)));
        }
        return List.of(tf.broadcastTo(perChannel, shape));
    }
}
