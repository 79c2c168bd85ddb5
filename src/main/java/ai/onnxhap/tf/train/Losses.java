package ai.onnxhap.tf.train;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** Builds a {@link Loss} on a model output: the placeholder its targets are fed to, and the scalar loss. */
public final class Losses {
    private Losses() {
    }

    public record Built(Placeholder<?> target, Operand<TFloat32> value) {
    }

    public static Built build(Ops tf, Operand<TFloat32> out, Loss loss, double temperature) {
        switch (loss) {
            case CROSS_ENTROPY -> {
                Placeholder<TInt64> labels = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(-1)));
                // One-hot × log-softmax rather than the fused sparse op, which has no registered gradient.
                Operand<TInt32> classes = tf.gather(tf.shape(out), tf.constant(1), tf.constant(0));
                Operand<TFloat32> onehot = tf.oneHot(labels, classes, tf.constant(1f), tf.constant(0f));
                return new Built(labels, tf.math.neg(tf.math.mean(tf.reduceSum(tf.math.mul(onehot, tf.nn.logSoftmax(out)),
                        tf.constant(1)), tf.constant(0))));
            }
            case DISTILLATION -> {
                Placeholder<TFloat32> teacher = tf.placeholder(TFloat32.class);
                Operand<TFloat32> t = tf.constant((float) temperature);
                Operand<TFloat32> soft = tf.nn.softmax(tf.math.div(teacher, t));
                Operand<TFloat32> logp = tf.nn.logSoftmax(tf.math.div(out, t));
                Operand<TFloat32> perSample = tf.math.neg(tf.reduceSum(tf.math.mul(soft, logp), tf.constant(1)));
                return new Built(teacher, tf.math.mul(tf.math.mean(perSample, tf.constant(0)), tf.math.mul(t, t)));
            }
            default -> {
                Placeholder<TFloat32> y = tf.placeholder(TFloat32.class);
                Operand<TFloat32> diff = tf.math.sub(out, y);
                return new Built(y, tf.math.mean(tf.reshape(tf.math.mul(diff, diff), tf.constant(new long[] {-1})),
                        tf.constant(0)));
            }
        }
    }
}
