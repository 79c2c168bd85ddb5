package ai.onnxhap.score;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.TfTensors;
import ai.onnxhap.tf.train.Loss;
import ai.onnxhap.tf.train.Losses;
import ai.onnxhap.tf.train.TrainableGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
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
 * serves every structure. Hv comes from a central difference of exact gradients,
 * (∇L(w + εv) − ∇L(w − εv)) / 2ε: TF Java's gradient registry has no second-order gradients for most ops,
 * and the difference is exact for quadratic losses and O(ε²) otherwise.
 */
public final class HutchinsonTrace {
    private final TrainableGraph model;
    private final Map<String, Integer> sliceAxes;
    private final List<String> names = new ArrayList<>();
    private final List<Variable<TFloat32>> vars = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();
    private final List<Placeholder<TFloat32>> newValues = new ArrayList<>();
    private final List<Op> assigns = new ArrayList<>();
    private final Placeholder<?> target;
    private final Output<?>[] grads;

    /**
     * @param sliceAxes per weight to score, the axis along which its structures are slices
     */
    public HutchinsonTrace(TrainableGraph model, String output, Loss loss, double temperature,
                           Map<String, Integer> sliceAxes) {
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
        grads = model.graph().addGradients(built.value().asOutput(),
                vars.stream().map(Variable::asOutput).toArray(Output[]::new));
    }

    /**
     * @param traces    per weight, one trace estimate per slice along its structure axis
     * @param stdErrors per weight and slice, the standard error of that mean over probes
     */
    public record Estimate(Map<String, double[]> traces, Map<String, double[]> stdErrors, int probes, int samples) {
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
                    double[] perSlice = sliceDots(k, v[k], hv[k]);
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
        return new Estimate(traces, errors, probes, data.size());
    }

    /**
     * The Hessian diagonal per weight element, E[v ⊙ Hv]: any structure's trace is then the sum over its slice,
     * whatever axis a group cuts the weight along.
     */
    public Map<String, double[]> diagonal(DataSet data, Tensor targets, int probes, int batchSize, double epsilon,
                                          long seed, ProbeListener listener) {
        float[][] w0 = values();
        double[][] sum = new double[names.size()][];
        for (int k = 0; k < sum.length; k++) {
            sum[k] = new double[w0[k].length];
        }
        try {
            for (int probe = 0; probe < probes; probe++) {
                float[][] v = rademacher(new SplittableRandom(seed * 1_000_003L + probe));
                float[][] hv = hvp(w0, v, data, targets, batchSize, epsilon);
                for (int k = 0; k < sum.length; k++) {
                    for (int i = 0; i < sum[k].length; i++) {
                        sum[k][i] += (double) v[k][i] * hv[k][i];
                    }
                }
                listener.probeDone(probe + 1, probes);
            }
        } finally {
            assign(w0);
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        for (int k = 0; k < sum.length; k++) {
            for (int i = 0; i < sum[k].length; i++) {
                sum[k][i] /= probes;
            }
            out.put(names.get(k), sum[k]);
        }
        return out;
    }

    /** Progress of the probes (each costs two gradient passes over the calibration data). */
    @FunctionalInterface
    public interface ProbeListener {
        ProbeListener NONE = (done, total) -> { };

        void probeDone(int done, int total);
    }

    /** H·v for the given direction (per weight, flat in the weight's layout), at the current weights. */
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
        assign(shifted(w0, v, eps));
        double[][] plus = gradient(data, targets, batchSize);
        assign(shifted(w0, v, -eps));
        double[][] minus = gradient(data, targets, batchSize);
        float[][] out = new float[v.length][];
        for (int k = 0; k < v.length; k++) {
            out[k] = new float[v[k].length];
            for (int i = 0; i < out[k].length; i++) {
                out[k][i] = (float) ((plus[k][i] - minus[k][i]) / (2 * eps));
            }
        }
        return out;
    }

    /** The mean-loss gradient over the whole data set, in double: batch gradients weighted by batch size. */
    private double[][] gradient(DataSet data, Tensor targets, int batchSize) {
        double[][] total = new double[vars.size()][];
        for (int k = 0; k < total.length; k++) {
            total[k] = new double[Math.toIntExact(Tensor.elementCount(shapes.get(k)))];
        }
        int n = data.size();
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            List<org.tensorflow.Tensor> fed = new ArrayList<>();
            try {
                Session.Runner r = model.session().runner();
                for (Map.Entry<String, Placeholder<?>> in : model.inputs().entrySet()) {
                    org.tensorflow.Tensor t = TfTensors.toTf(
                            ai.onnxhap.data.TensorRows.slice(data.input(in.getKey()), from, to), in.getValue().type());
                    fed.add(t);
                    r.feed(in.getValue(), t);
                }
                Tensor y = ai.onnxhap.data.TensorRows.slice(targets, from, to);
                org.tensorflow.Tensor ty = TfTensors.toTf(y, target.type());
                fed.add(ty);
                r.feed(target, ty);
                for (Output<?> g : grads) {
                    r.fetch(g);
                }
                try (Result res = r.run()) {
                    double weight = (double) (to - from) / n;
                    for (int k = 0; k < grads.length; k++) {
                        float[] g = TfTensors.fromTf("g", (TFloat32) res.get(k), ai.onnxhap.model.DataType.FLOAT).floats();
                        for (int i = 0; i < g.length; i++) {
                            total[k][i] += weight * g[i];
                        }
                    }
                }
            } finally {
                fed.forEach(org.tensorflow.Tensor::close);
            }
        }
        return total;
    }

    private double[] sliceDots(int k, float[] v, float[] hv) {
        long[] shape = shapes.get(k);
        int axis = sliceAxes.get(names.get(k));
        long inner = 1;
        for (int a = axis + 1; a < shape.length; a++) {
            inner *= shape[a];
        }
        int dim = (int) shape[axis];
        double[] out = new double[dim];
        for (int i = 0; i < v.length; i++) {
            out[(int) ((i / inner) % dim)] += (double) v[i] * hv[i];
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
                out[k] = TfTensors.fromTf("w", (TFloat32) res.get(k), ai.onnxhap.model.DataType.FLOAT).floats().clone();
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
