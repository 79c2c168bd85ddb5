package ai.onnxhap.score;

import static ai.onnxhap.testing.TestModels.floatInfo;
import static ai.onnxhap.testing.TestModels.integer;
import static ai.onnxhap.testing.TestModels.ints;
import static ai.onnxhap.testing.TestModels.node;
import static ai.onnxhap.testing.TestModels.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.FineTune;
import ai.onnxhap.tf.train.Loss;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Exact Hessian-vector products and Hutchinson traces on models small enough to build the whole Hessian column by
 * column: H e_i by double back-propagation against H e_i by central differences of gradients, per-structure traces
 * (rows of each weight along axis 0) from Hutchinson against the exact Tr(H_c), and the estimator's spread against
 * its closed form: with Rademacher v, v_cᵀ(Hv)_c = Tr(H_c) + Σ_{i∈c, j≠i} v_i v_j H_ij, whose variance sums the
 * squared coefficients of the distinct products v_i v_j. Those cross terms reach every weight, so per-row traces
 * are far noisier than they are large (σ/Tr from 1 to 1000 here): 256 probes pin them only to within their
 * standard error, which is what is asserted, not a fixed relative error.
 */
class HessianAccuracyTest {
    static final int N = 16;

    /** x[16,5] → Gemm(W[5,6], b) → Relu → MatMul(V[6,3]) → logits. */
    static OnnxModel mlp() {
        return TestModels.mlp(N, 5, 6, 3, 21);
    }

    /** x[16,1,6,6] → Conv(W[3,1,3,3], B, pad 1) → Relu → MaxPool 2×2 → Flatten → MatMul(V[27,4]) → logits. */
    static OnnxModel convNet() {
        Random rnd = new Random(22);
        GraphProto g = GraphProto.newBuilder().setName("convnet")
                .addInput(floatInfo("x", N, 1, 6, 6))
                .addOutput(floatInfo("y", N, 4))
                .addInitializer(TensorCodec.encode(randomFloats("W", rnd, 3, 1, 3, 3)))
                .addInitializer(TensorCodec.encode(randomFloats("B", rnd, 3)))
                .addInitializer(TensorCodec.encode(scaled(randomFloats("V", rnd, 27, 4), 0.3f)))
                .addNode(node("Conv", new String[] {"x", "W", "B"}, new String[] {"c"}, ints("kernel_shape", 3, 3),
                        ints("pads", 1, 1, 1, 1)))
                .addNode(node("Relu", new String[] {"c"}, new String[] {"r"}))
                .addNode(node("MaxPool", new String[] {"r"}, new String[] {"p"}, ints("kernel_shape", 2, 2),
                        ints("strides", 2, 2)))
                .addNode(node("Flatten", new String[] {"p"}, new String[] {"f"}, integer("axis", 1)))
                .addNode(node("MatMul", new String[] {"f", "V"}, new String[] {"y"}))
                .build();
        return OnnxModel.of(TestModels.wrap(g, 13));
    }

    static Tensor scaled(Tensor t, float factor) {
        float[] v = t.floats().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        return Tensor.ofFloats(t.name(), t.shape(), v);
    }

    static DataSet data(long... inputShape) {
        Random rnd = new Random(23);
        long[] labels = new long[N];
        for (int n = 0; n < N; n++) {
            labels[n] = rnd.nextInt(3);
        }
        return new DataSet(Map.of("x", randomFloats("x", rnd, inputShape)), Tensor.ofLongs("labels", new long[] {N},
                labels));
    }

    /** The model's weights, their element counts in scoring order, and the dense Hessian by either route. */
    record Setup(List<String> weights, int[] sizes, long[][] shapes) {
        int total() {
            int t = 0;
            for (int s : sizes) {
                t += s;
            }
            return t;
        }

        float[][] unit(int index) {
            float[][] v = new float[sizes.length][];
            int offset = 0;
            for (int k = 0; k < sizes.length; k++) {
                v[k] = new float[sizes[k]];
                if (index >= offset && index < offset + sizes[k]) {
                    v[k][index - offset] = 1;
                }
                offset += sizes[k];
            }
            return v;
        }

        /** The first index of each slice along axis 0 of each weight, over the flat concatenation. */
        int[][] slices() {
            int[][] out = new int[sizes.length][];
            int offset = 0;
            for (int k = 0; k < sizes.length; k++) {
                int rows = (int) shapes[k][0];
                out[k] = new int[rows + 1];
                for (int c = 0; c <= rows; c++) {
                    out[k][c] = offset + c * (sizes[k] / rows);
                }
                offset += sizes[k];
            }
            return out;
        }
    }

    static double[][] hessian(HutchinsonTrace trace, Setup s, DataSet data, double epsilon) {
        int n = s.total();
        double[][] h = new double[n][];
        for (int i = 0; i < n; i++) {
            float[][] col = trace.hessianVectorProduct(s.unit(i), data, data.labels().orElseThrow(), N, epsilon);
            h[i] = new double[n];
            int offset = 0;
            for (float[] part : col) {
                for (int j = 0; j < part.length; j++) {
                    h[i][offset + j] = part[j];
                }
                offset += part.length;
            }
        }
        return h;
    }

    static double relativeFrobenius(double[][] a, double[][] b) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                diff += Math.pow(a[i][j] - b[i][j], 2);
                norm += b[i][j] * b[i][j];
            }
        }
        return Math.sqrt(diff / norm);
    }

    void check(OnnxModel model, DataSet data) {
        Map<String, Integer> axes = new LinkedHashMap<>();
        model.proto().getGraph().getInitializerList().forEach(t -> axes.put(t.getName(), 0));
        try (TfModel tf = TfModel.build(model)) {
            HutchinsonTrace exact = new HutchinsonTrace(FineTune.trainable(tf), "y", Loss.CROSS_ENTROPY, 1.0, axes);
            HutchinsonTrace differences = new HutchinsonTrace(FineTune.trainable(tf), "y", Loss.CROSS_ENTROPY, 1.0,
                    axes, HutchinsonTrace.Route.FINITE_DIFFERENCE);
            assertEquals(HutchinsonTrace.Route.EXACT, exact.route(), () -> exact.whyNotExact().orElse(""));
            assertEquals(HutchinsonTrace.Route.FINITE_DIFFERENCE, differences.route());
            List<String> names = exact.weights();
            int[] sizes = new int[names.size()];
            long[][] shapes = new long[names.size()][];
            for (int k = 0; k < sizes.length; k++) {
                String name = names.get(k);
                Tensor w = TensorCodec.decode(model.proto().getGraph().getInitializerList().stream()
                        .filter(t -> t.getName().equals(name)).findFirst().orElseThrow());
                sizes[k] = w.floats().length;
                shapes[k] = w.shape();
            }
            Setup s = new Setup(names, sizes, shapes);
            double[][] h = hessian(exact, s, data, 0);
            // The Hessian of a ReLU / max-pool net is piecewise: a step that moves any pre-activation across zero
            // (a shared conv weight or bias moves ~600 of them) or flips a pooling arg-max makes the difference
            // quotient blow up (seen at ε = 1e-4 here). So a tiny step, paid for with float32 rounding of the
            // gradients, ~1e-7·|g|/ε, about 1e-3 of H.
            double[][] fd = hessian(differences, s, data, 2e-5);
            double err = relativeFrobenius(h, fd);
            assertTrue(err <= 5e-3, "exact against central-difference Hessian: relative error " + err);

            // An exact Hessian is symmetric; a wrong second-order gradient rarely keeps it so.
            double[][] transposed = new double[h.length][h.length];
            for (int i = 0; i < h.length; i++) {
                for (int j = 0; j < h.length; j++) {
                    transposed[i][j] = h[j][i];
                }
            }
            double asymmetry = relativeFrobenius(h, transposed);
            assertTrue(asymmetry <= 1e-4, "asymmetry " + asymmetry);

            int[][] slices = s.slices();
            HutchinsonTrace.Estimate few = exact.estimate(data, data.labels().orElseThrow(), 16, N, 0, 1);
            HutchinsonTrace.Estimate many = exact.estimate(data, data.labels().orElseThrow(), 256, N, 0, 2);
            assertEquals(HutchinsonTrace.Route.EXACT, many.route());
            for (int k = 0; k < names.size(); k++) {
                for (int c = 0; c + 1 < slices[k].length; c++) {
                    int from = slices[k][c];
                    int to = slices[k][c + 1];
                    double trace = 0;
                    double variance = 0;
                    for (int i = from; i < to; i++) {
                        trace += h[i][i];
                        for (int j = 0; j < h.length; j++) {
                            if (j != i) {
                                // v_i v_j with both in c carries H_ij + H_ji, counted once per ordered pair here.
                                variance += (j >= from && j < to) ? 2 * h[i][j] * h[i][j] : h[i][j] * h[i][j];
                            }
                        }
                    }
                    String where = names.get(k) + "[" + c + "]";
                    double sigma = Math.sqrt(variance);
                    double got = many.traces().get(names.get(k))[c];
                    assertEquals(trace, got, 4 * sigma / 16 + 1e-4 * Math.abs(trace), where + " trace");
                    // Standard errors against the closed form, and 16 → 256 probes shrinks them about 4×.
                    if (sigma > 1e-6) {
                        double seMany = many.stdErrors().get(names.get(k))[c];
                        double seFew = few.stdErrors().get(names.get(k))[c];
                        assertEquals(1, seMany / (sigma / 16), 0.35, where + " standard error at 256 probes");
                        assertTrue(seFew / seMany > 2 && seFew / seMany < 8, where + " spread ratio " + seFew / seMany);
                    }
                }
            }
        }
    }

    @Test
    void mlpHessianIsExactAndTracesConverge() {
        check(mlp(), data(N, 5));
    }

    @Test
    void convReluPoolHessianIsExactAndTracesConverge() {
        check(convNet(), data(N, 1, 6, 6));
    }
}
