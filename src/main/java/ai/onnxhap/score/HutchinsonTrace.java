package ai.onnxhap.score;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.TensorRows;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.TfTensors;
import ai.onnxhap.tf.grad.SecondOrderGradients;
import ai.onnxhap.tf.train.Loss;
import ai.onnxhap.tf.train.Losses;
import ai.onnxhap.tf.train.TrainableGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Hutchinson's estimate of the Hessian trace of the loss per structure: with Rademacher probes v over all the
 * given weights at once, Tr(H_c) ≈ mean over probes of v_cᵀ(Hv)_c, where c is a slice of a weight along its
 * structure axis (a Conv's output filters, a MatMul's output columns). One Hessian-vector product per probe
 * serves every structure.
 *
 * <p>Hv is exact where it can be: double back-propagation, Hv = ∇(∇L · v), one forward and double-backward pass
 * per batch, with the second-order gradients TF lacks registered by {@link SecondOrderGradients}. Where some op
 * of the backward graph still has no gradient, Hv falls back to a central difference of exact gradients,
 * (∇L(w + εv) − ∇L(w − εv)) / 2ε (exact for quadratic losses, O(ε²) otherwise, two gradient passes).
 * {@link #route()} says which one is used.
 */
public final class HutchinsonTrace {
    /** How Hessian-vector products are computed. */
    public enum Route {
        EXACT("exact Hessian-vector products by double back-propagation"),
        FINITE_DIFFERENCE("central differences of gradients");

        private final String description;

        Route(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final TrainableGraph model;
    private final Map<String, Integer> sliceAxes;
    private final List<String> names = new ArrayList<>();
    private final List<Variable<TFloat32>> vars = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();
    private final List<Placeholder<TFloat32>> newValues = new ArrayList<>();
    private final List<Op> assigns = new ArrayList<>();
    private final Placeholder<?> target;
    private final Output<?>[] grads;
    private final List<Placeholder<TFloat32>> directions = new ArrayList<>();
    private Output<?>[] exactHv;
    private String whyNotExact;

    /**
     * Exact Hessian-vector products where every op of the loss's backward graph has a second-order gradient,
     * central differences otherwise.
     *
     * @param sliceAxes per weight to score, the axis along which its structures are slices
     */
    public HutchinsonTrace(TrainableGraph model, String output, Loss loss, double temperature,
                           Map<String, Integer> sliceAxes) {
        this(model, output, loss, temperature, sliceAxes, Route.EXACT);
    }

    /**
     * @param wanted {@link Route#EXACT} to use exact products where possible, {@link Route#FINITE_DIFFERENCE}
     *               to always use central differences (to compare the two)
     */
    public HutchinsonTrace(TrainableGraph model, String output, Loss loss, double temperature,
                           Map<String, Integer> sliceAxes, Route wanted) {
        this.model = model;
        this.sliceAxes = Map.copyOf(sliceAxes);
        Ops tf = model.tf().withSubScope("onnx_hap_hessian");
        Losses.Built built = Losses.build(tf, model.output(output), loss, temperature);
        target = built.target();
        for (String name : sliceAxes.keySet()) {
            Variable<TFloat32> v = model.parameters().get(name);
            if (v == null) {
                throw OnnxHapException.usage("'" + name + "' is not a trainable parameter");
            }
            names.add(name);
            vars.add(v);
            shapes.add(v.shape().asArray());
            Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(v.shape()));
            newValues.add(p);
            assigns.add(tf.assign(v, p));
        }
        Output<?>[] wrt = vars.stream().map(Variable::asOutput).toArray(Output[]::new);
        grads = model.graph().addGradients(built.value().asOutput(), wrt);
        if (wanted == Route.EXACT) {
            buildExact(tf.withSubScope("hvp"), wrt);
        } else {
            whyNotExact = "central differences were asked for";
        }
    }

    /** Hv = ∇_w (Σ_k ∇_{w_k}L · v_k), with one direction placeholder v_k per weight. */
    @SuppressWarnings("unchecked")
    private void buildExact(Ops tf, Output<?>[] wrt) {
        SecondOrderGradients.register();
        Operand<TFloat32> dot = null;
        for (int k = 0; k < vars.size(); k++) {
            Placeholder<TFloat32> v = tf.placeholder(TFloat32.class, Placeholder.shape(vars.get(k).shape()));
            directions.add(v);
            Operand<TFloat32> g = (Operand<TFloat32>) grads[k];
            Operand<TFloat32> gv = tf.reduceSum(tf.math.mul(g, v), tf.range(tf.constant(0), tf.rank(g),
                    tf.constant(1)));
            dot = dot == null ? gv : tf.math.add(dot, gv);
        }
        try {
            exactHv = model.graph().addGradients(dot.asOutput(), wrt);
        } catch (TensorFlowException e) {
            // Typically "No gradient defined for op: X" for an op this version of SecondOrderGradients lacks.
            whyNotExact = e.getMessage().lines().findFirst().orElse("second gradient failed");
        }
    }

    /** The route Hessian-vector products take (it can turn to central differences at the first failed run). */
    public Route route() {
        return exactHv != null ? Route.EXACT : Route.FINITE_DIFFERENCE;
    }

    /** Why products are not exact, when they are not: the op without a second-order gradient, typically. */
    public Optional<String> whyNotExact() {
        return Optional.ofNullable(exactHv != null ? null : whyNotExact);
    }

    /**
     * @param traces    per weight, one trace estimate per slice along its structure axis
     * @param stdErrors per weight and slice, the standard error of that mean over probes
     * @param route     how the Hessian-vector products were computed
     */
    public record Estimate(Map<String, double[]> traces, Map<String, double[]> stdErrors, int probes, int samples,
                           Route route) {
    }

    /**
     * The Hessian diagonal per weight element, and how it was obtained.
     *
     * @param values per weight, flat in the weight's layout
     * @param probes the number of probes drawn (below the maximum when an adaptive run stopped early)
     */
    public record Diagonal(Map<String, double[]> values, int probes, Route route) {
    }

    /**
     * How many probes to draw: a fixed number, or adaptively — keep drawing (at least {@code min}, at most
     * {@code max}) until the set of the lowest-ranked structures, the {@code bottomFraction} with the smallest
     * sensitivity S_c = Tr(H_c)·‖w_c‖²/n_c, has stayed the same for {@code window} probes in a row. That set is
     * what pruning removes first, so once it settles further probes change little.
     */
    public record Probes(int min, int max, int window, double bottomFraction) {
        public Probes {
            if (min < 1 || max < min || window < 0 || bottomFraction < 0 || bottomFraction > 1) {
                throw new IllegalArgumentException("probes: need 1 ≤ min ≤ max, window ≥ 0 and a fraction in [0, 1]");
            }
        }

        public static Probes fixed(int probes) {
            return new Probes(probes, probes, 0, 0);
        }

        /** Adaptive up to {@code max}: at least 8 probes, stop when the bottom 30% held for 8 probes. */
        public static Probes adaptive(int max) {
            return new Probes(Math.min(8, max), max, 8, 0.3);
        }

        public boolean isAdaptive() {
            return max > min;
        }
    }

    public Estimate estimate(DataSet data, Tensor targets, int probes, int batchSize, double epsilon, long seed) {
        float[][] w0 = values();
        Map<String, double[]> sum = new LinkedHashMap<>();
        Map<String, double[]> sumSq = new LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) {
            int slices = (int) shapes.get(k)[sliceAxes.get(names.get(k))];
            sum.put(names.get(k), new double[slices]);
            sumSq.put(names.get(k), new double[slices]);
        }
        try {
            for (int probe = 0; probe < probes; probe++) {
                float[][] v = rademacher(new SplittableRandom(seed * 1_000_003L + probe));
                float[][] hv = hvp(w0, v, data, targets, batchSize, epsilon);
                for (int k = 0; k < names.size(); k++) {
                    double[] perSlice = sliceSums(k, product(v[k], hv[k]));
                    double[] s = sum.get(names.get(k));
                    double[] q = sumSq.get(names.get(k));
                    for (int c = 0; c < perSlice.length; c++) {
                        s[c] += perSlice[c];
                        q[c] += perSlice[c] * perSlice[c];
                    }
                }
            }
        } finally {
            assign(w0);
        }
        Map<String, double[]> traces = new LinkedHashMap<>();
        Map<String, double[]> errors = new LinkedHashMap<>();
        for (String name : names) {
            double[] s = sum.get(name);
            double[] q = sumSq.get(name);
            double[] mean = new double[s.length];
            double[] err = new double[s.length];
            for (int c = 0; c < s.length; c++) {
                mean[c] = s[c] / probes;
                double var = probes > 1 ? Math.max(0, (q[c] - probes * mean[c] * mean[c]) / (probes - 1)) : 0;
                err[c] = Math.sqrt(var / probes);
            }
            traces.put(name, mean);
            errors.put(name, err);
        }
        return new Estimate(traces, errors, probes, data.size(), route());
    }

    /**
     * The Hessian diagonal per weight element, E[v ⊙ Hv]: any structure's trace is then the sum over its slice,
     * whatever axis a group cuts the weight along.
     */
    public Map<String, double[]> diagonal(DataSet data, Tensor targets, int probes, int batchSize, double epsilon,
                                          long seed, ProbeListener listener) {
        return diagonal(data, targets, Probes.fixed(probes), batchSize, epsilon, seed, listener).values();
    }

    /** The Hessian diagonal with a fixed or adaptive number of probes; see {@link Probes}. */
    public Diagonal diagonal(DataSet data, Tensor targets, Probes probes, int batchSize, double epsilon, long seed,
                             ProbeListener listener) {
        float[][] w0 = values();
        double[][] sum = new double[names.size()][];
        for (int k = 0; k < sum.length; k++) {
            sum[k] = new double[w0[k].length];
        }
        int drawn = 0;
        BitSet lastBottom = null;
        int stableFor = 0;
        try {
            while (drawn < probes.max()) {
                float[][] v = rademacher(new SplittableRandom(seed * 1_000_003L + drawn));
                float[][] hv = hvp(w0, v, data, targets, batchSize, epsilon);
                for (int k = 0; k < sum.length; k++) {
                    for (int i = 0; i < sum[k].length; i++) {
                        sum[k][i] += (double) v[k][i] * hv[k][i];
                    }
                }
                drawn++;
                listener.probeDone(drawn, probes.max());
                if (probes.isAdaptive()) {
                    BitSet bottom = bottomStructures(sum, drawn, w0, probes.bottomFraction());
                    stableFor = bottom.equals(lastBottom) ? stableFor + 1 : 0;
                    lastBottom = bottom;
                    if (drawn >= probes.min() && stableFor >= probes.window()) {
                        break;
                    }
                }
            }
        } finally {
            assign(w0);
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        for (int k = 0; k < sum.length; k++) {
            for (int i = 0; i < sum[k].length; i++) {
                sum[k][i] /= drawn;
            }
            out.put(names.get(k), sum[k]);
        }
        return new Diagonal(out, drawn, route());
    }

    /**
     * The structures (slices of every weight along its structure axis, numbered weight by weight) whose
     * sensitivity Tr(H_c)·‖w_c‖²/n_c is among the lowest {@code fraction}, from the running diagonal sums.
     */
    private BitSet bottomStructures(double[][] sum, int drawn, float[][] w, double fraction) {
        List<double[]> scores = new ArrayList<>();
        for (int k = 0; k < sum.length; k++) {
            double[] trace = sliceSums(k, sum[k]);
            double[] norm = sliceSums(k, product(w[k], w[k]));
            double perSlice = (double) w[k].length / trace.length;
            double[] s = new double[trace.length];
            for (int c = 0; c < s.length; c++) {
                s[c] = trace[c] / drawn * norm[c] / perSlice;
            }
            scores.add(s);
        }
        double[] all = scores.stream().flatMapToDouble(Arrays::stream).toArray();
        Integer[] order = new Integer[all.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(all[a], all[b]));
        BitSet bottom = new BitSet(all.length);
        int count = (int) Math.ceil(fraction * all.length);
        for (int i = 0; i < count; i++) {
            bottom.set(order[i]);
        }
        return bottom;
    }

    /** Progress of the probes (each costs a forward and double-backward pass over the calibration data). */
    @FunctionalInterface
    public interface ProbeListener {
        ProbeListener NONE = (done, total) -> { };

        /** @param total the most probes that will be drawn (an adaptive run may stop before) */
        void probeDone(int done, int total);
    }

    /**
     * H·v for the given direction (per weight, flat in the weight's layout), at the current weights, by
     * {@link #route()}; {@code epsilon} is the central-difference step when that route is taken.
     */
    public float[][] hessianVectorProduct(float[][] v, DataSet data, Tensor targets, int batchSize, double epsilon) {
        float[][] w0 = values();
        try {
            return hvp(w0, v, data, targets, batchSize, epsilon);
        } finally {
            assign(w0);
        }
    }

    /** The weights being scored, in constructor order. */
    public List<String> weights() {
        return List.copyOf(names);
    }

    private float[][] hvp(float[][] w0, float[][] v, DataSet data, Tensor targets, int batchSize, double eps) {
        if (exactHv != null) {
            try {
                return toFloats(sumOverBatches(data, targets, batchSize, exactHv, v));
            } catch (TensorFlowException e) {
                // A kernel can still refuse at run time (e.g. an attribute a second-order op does not support on
                // this device): central differences from here on, and the route says so.
                exactHv = null;
                whyNotExact = e.getMessage().lines().findFirst().orElse("second gradient failed to run");
            }
        }
        assign(shifted(w0, v, eps));
        double[][] plus = sumOverBatches(data, targets, batchSize, grads, null);
        assign(shifted(w0, v, -eps));
        double[][] minus = sumOverBatches(data, targets, batchSize, grads, null);
        assign(w0);
        double[][] out = new double[v.length][];
        for (int k = 0; k < v.length; k++) {
            out[k] = new double[v[k].length];
            for (int i = 0; i < out[k].length; i++) {
                out[k][i] = (plus[k][i] - minus[k][i]) / (2 * eps);
            }
        }
        return toFloats(out);
    }

    /**
     * The mean over the whole data set of per-weight outputs (gradients, or Hv with {@code direction} fed), in
     * double: batch values weighted by batch size, since the loss is a batch mean.
     */
    private double[][] sumOverBatches(DataSet data, Tensor targets, int batchSize, Output<?>[] fetch,
                                      float[][] direction) {
        double[][] total = new double[vars.size()][];
        for (int k = 0; k < total.length; k++) {
            total[k] = new double[Math.toIntExact(Tensor.elementCount(shapes.get(k)))];
        }
        List<org.tensorflow.Tensor> fixed = new ArrayList<>();
        try {
            if (direction != null) {
                for (int k = 0; k < direction.length; k++) {
                    fixed.add(TFloat32.tensorOf(Shape.of(shapes.get(k)), DataBuffers.of(direction[k], true, false)));
                }
            }
            int n = data.size();
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                List<org.tensorflow.Tensor> fed = new ArrayList<>();
                try {
                    Session.Runner r = model.session().runner();
                    for (Map.Entry<String, Placeholder<?>> in : model.inputs().entrySet()) {
                        org.tensorflow.Tensor t = TfTensors.toTf(TensorRows.slice(data.input(in.getKey()), from, to),
                                in.getValue().type());
                        fed.add(t);
                        r.feed(in.getValue(), t);
                    }
                    org.tensorflow.Tensor ty = TfTensors.toTf(TensorRows.slice(targets, from, to), target.type());
                    fed.add(ty);
                    r.feed(target, ty);
                    for (int k = 0; k < fixed.size(); k++) {
                        r.feed(directions.get(k), fixed.get(k));
                    }
                    for (Output<?> g : fetch) {
                        r.fetch(g);
                    }
                    try (Result res = r.run()) {
                        double weight = (double) (to - from) / n;
                        for (int k = 0; k < fetch.length; k++) {
                            float[] g = TfTensors.fromTf("g", (TFloat32) res.get(k), DataType.FLOAT).floats();
                            for (int i = 0; i < g.length; i++) {
                                total[k][i] += weight * g[i];
                            }
                        }
                    }
                } finally {
                    fed.forEach(org.tensorflow.Tensor::close);
                }
            }
        } finally {
            fixed.forEach(org.tensorflow.Tensor::close);
        }
        return total;
    }

    private static double[] product(float[] a, float[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (double) a[i] * b[i];
        }
        return out;
    }

    /** Sums of a per-element quantity over each slice of weight {@code k} along its structure axis. */
    private double[] sliceSums(int k, double[] perElement) {
        long[] shape = shapes.get(k);
        int axis = sliceAxes.get(names.get(k));
        long inner = 1;
        for (int a = axis + 1; a < shape.length; a++) {
            inner *= shape[a];
        }
        int dim = (int) shape[axis];
        double[] out = new double[dim];
        for (int i = 0; i < perElement.length; i++) {
            out[(int) ((i / inner) % dim)] += perElement[i];
        }
        return out;
    }

    private static float[][] toFloats(double[][] values) {
        float[][] out = new float[values.length][];
        for (int k = 0; k < values.length; k++) {
            out[k] = new float[values[k].length];
            for (int i = 0; i < out[k].length; i++) {
                out[k][i] = (float) values[k][i];
            }
        }
        return out;
    }

    private float[][] rademacher(SplittableRandom rnd) {
        float[][] v = new float[shapes.size()][];
        for (int k = 0; k < v.length; k++) {
            v[k] = new float[Math.toIntExact(Tensor.elementCount(shapes.get(k)))];
            for (int i = 0; i < v[k].length; i++) {
                v[k][i] = rnd.nextBoolean() ? 1f : -1f;
            }
        }
        return v;
    }

    private static float[][] shifted(float[][] w, float[][] v, double eps) {
        float[][] out = new float[w.length][];
        for (int k = 0; k < w.length; k++) {
            out[k] = new float[w[k].length];
            for (int i = 0; i < w[k].length; i++) {
                out[k][i] = (float) (w[k][i] + eps * v[k][i]);
            }
        }
        return out;
    }

    private float[][] values() {
        Session.Runner r = model.session().runner();
        vars.forEach(r::fetch);
        try (Result res = r.run()) {
            float[][] out = new float[vars.size()][];
            for (int k = 0; k < out.length; k++) {
                out[k] = TfTensors.fromTf("w", (TFloat32) res.get(k), DataType.FLOAT).floats().clone();
            }
            return out;
        }
    }

    private void assign(float[][] values) {
        List<org.tensorflow.Tensor> fed = new ArrayList<>();
        try {
            Session.Runner r = model.session().runner();
            for (int k = 0; k < values.length; k++) {
                org.tensorflow.Tensor t = TFloat32.tensorOf(Shape.of(shapes.get(k)), DataBuffers.of(values[k], true, false));
                fed.add(t);
                r.feed(newValues.get(k), t).addTarget(assigns.get(k));
            }
            r.run();
        } finally {
            fed.forEach(org.tensorflow.Tensor::close);
        }
    }
}
