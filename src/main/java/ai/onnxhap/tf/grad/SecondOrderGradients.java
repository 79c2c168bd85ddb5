package ai.onnxhap.tf.grad;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.RawOpInputs;

/**
 * The registry of the gradients onnx-hap adds to TensorFlow so that gradient graphs can be differentiated again
 * (exact Hessian-vector products). TF keeps gradients in one process-wide table that cannot be unregistered, so
 * {@link #register()} installs them once, whichever thread asks first.
 */
public final class SecondOrderGradients {
    private static final List<OpGradient<?>> ALL = List.of(
            new OnesLikeGradient(),
            new ReluGradGradient(),
            new SigmoidGradGradient(),
            new TanhGradGradient(),
            new SqrtGradGradient(),
            new BiasAddGradGradient(),
            new Conv2dBackpropFilterGradient(),
            new MaxPoolGradGradient(),
            new AvgPoolGradGradient());

    private static boolean registered;

    private SecondOrderGradients() {
    }

    /** Installs every gradient of the registry into TensorFlow; later calls do nothing. */
    public static synchronized void register() {
        if (registered) {
            return;
        }
        for (OpGradient<?> g : ALL) {
            install(g);
        }
        registered = true;
    }

    /** The TF op types this registry supplies gradients for. */
    public static Set<String> opTypes() {
        Set<String> out = new TreeSet<>();
        ALL.forEach(g -> out.add(opType(g.inputsClass())));
        return out;
    }

    /** The TF op type an inputs class belongs to, as its generated op class declares it. */
    static String opType(Class<?> inputsClass) {
        try {
            return (String) inputsClass.getEnclosingClass().getField("OP_NAME").get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(inputsClass + " is not a generated TF op inputs class", e);
        }
    }

    private static <T extends RawOpInputs<?>> void install(OpGradient<T> g) {
        // False means TF already has a gradient for the op (a newer TF may add one); keeping TF's is right then.
        TensorFlow.registerCustomGradient(g.inputsClass(), g::gradients);
    }
}
