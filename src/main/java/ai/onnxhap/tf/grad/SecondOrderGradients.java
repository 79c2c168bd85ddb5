package ai.onnxhap.tf.grad;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.internal.c_api.TFJ_GradFuncAdapter;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.RawCustomGradient;
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
            new RsqrtGradGradient(),
            new ReciprocalGradGradient(),
            new StridedSliceGradGradient(),
            new BiasAddGradGradient(),
            new Conv2dBackpropFilterGradient(),
            new MaxPoolGradGradient(),
            new AvgPoolGradGradient());

    /** Keeps the one native callback alive: TF holds only its function pointer. */
    private static TFJ_GradFuncAdapter adapter;

    private SecondOrderGradients() {
    }

    /** Installs every gradient of the registry into TensorFlow; later calls do nothing. */
    public static synchronized void register() {
        if (adapter != null) {
            return;
        }
        Map<String, OpGradient<?>> byType = new HashMap<>();
        ALL.forEach(g -> byType.put(opType(g.inputsClass()), g));
        // TF Java's registerCustomGradient makes one JavaCPP callback per gradient, and JavaCPP allocates at most
        // 10 callbacks of a type: the 11th registration leaves a null function pointer that crashes the JVM when
        // TF calls it. One callback that dispatches on the op type serves every gradient instead.
        adapter = RawCustomGradient.adapter((tf, op, upstream) -> dispatch(byType.get(op.type()), tf, op, upstream));
        for (String type : byType.keySet()) {
            // TF's own gradient, where it has one (a newer TF may add some), is kept.
            if (!tensorflow.TFJ_HasGradient(type)) {
                tensorflow.TFJ_RegisterCustomGradient(type, adapter);
            }
        }
    }

    private static <T extends RawOpInputs<?>> List<Operand<?>> dispatch(OpGradient<T> g, Ops tf, GraphOperation op,
                                                                       List<Output<?>> upstream) {
        try {
            return g.gradients(tf, g.inputsClass().getConstructor(GraphOperation.class).newInstance(op), upstream);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(g.inputsClass() + " cannot be built from a graph operation", e);
        }
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
}
