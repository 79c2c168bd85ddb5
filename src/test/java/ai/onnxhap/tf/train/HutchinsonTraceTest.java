package ai.onnxhap.tf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.score.HutchinsonTrace;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hessian traces against the closed form of a softmax classifier: for logits x·W + b with cross-entropy,
 * ∂²L/∂W_ic∂W_jd = (1/N) Σ_n x_ni x_nj (p_nc δ_cd − p_nc p_nd), so the trace over output column c is
 * (1/N) Σ_n ‖x_n‖² p_nc (1 − p_nc).
 */
class HutchinsonTraceTest {
    static final int N = 40;
    static final int IN = 3;
    static final int OUT = 4;
    static float[] x = new float[N * IN];
    static long[] y = new long[N];
    static float[] w0 = new float[IN * OUT];
    static double[][] p = new double[N][OUT];

    @BeforeAll
    static void data() {
        Random rnd = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < w0.length; i++) {
            w0[i] = (float) (rnd.nextGaussian() * 0.5);
        }
        for (int n = 0; n < N; n++) {
            y[n] = rnd.nextInt(OUT);
            double[] z = new double[OUT];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < OUT; c++) {
                for (int i = 0; i < IN; i++) {
                    z[c] += x[n * IN + i] * w0[i * OUT + c];
                }
                max = Math.max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < OUT; c++) {
                p[n][c] = Math.exp(z[c] - max);
                sum += p[n][c];
            }
            for (int c = 0; c < OUT; c++) {
                p[n][c] /= sum;
            }
        }
    }

    static double hessian(int i, int c, int j, int d) {
        double h = 0;
        for (int n = 0; n < N; n++) {
            h += x[n * IN + i] * x[n * IN + j] * (p[n][c] * (c == d ? 1 : 0) - p[n][c] * p[n][d]);
        }
        return h / N;
    }

    static HutchinsonTrace estimator(LinearModel m) {
        return new HutchinsonTrace(m, "y", Loss.CROSS_ENTROPY, 1.0, Map.of("W", 1));
    }

    static DataSet data(LinearModel m) {
        return DataSet.of(Map.of("x", Tensor.ofFloats("x", new long[] {N, IN}, x)));
    }

    static Tensor labels() {
        return Tensor.ofLongs("labels", new long[] {N}, y);
    }

    @Test
    void hessianVectorProductsMatchTheExactHessian() {
        try (LinearModel m = new LinearModel(w0, IN, OUT)) {
            HutchinsonTrace h = estimator(m);
            float[] v = new float[IN * OUT];
            Random rnd = new Random(9);
            for (int k = 0; k < v.length; k++) {
                v[k] = rnd.nextBoolean() ? 1 : -1;
            }
            float[] hv = h.hessianVectorProduct(new float[][] {v}, data(m), labels(), 16, 1e-2)[0];
            double err = 0;
            double norm = 0;
            for (int i = 0; i < IN; i++) {
                for (int c = 0; c < OUT; c++) {
                    double exact = 0;
                    for (int j = 0; j < IN; j++) {
                        for (int d = 0; d < OUT; d++) {
                            exact += hessian(i, c, j, d) * v[j * OUT + d];
                        }
                    }
                    err += Math.pow(exact - hv[i * OUT + c], 2);
                    norm += exact * exact;
                }
            }
            assertTrue(Math.sqrt(err / norm) <= 0.02, "relative error " + Math.sqrt(err / norm));
            assertEquals(w0[0], m.values(m.w)[0], "weights are restored");
        }
    }

    @Test
    void tracesPerOutputColumnMatchTheClosedFormAndSpreadShrinksWithProbes() {
        try (LinearModel m = new LinearModel(w0, IN, OUT)) {
            HutchinsonTrace h = estimator(m);
            HutchinsonTrace.Estimate few = h.estimate(data(m), labels(), 25, 16, 1e-2, 1);
            HutchinsonTrace.Estimate many = h.estimate(data(m), labels(), 400, 16, 1e-2, 2);
            double[] est = many.traces().get("W");
            for (int c = 0; c < OUT; c++) {
                double exact = 0;
                for (int i = 0; i < IN; i++) {
                    exact += hessian(i, c, i, c);
                }
                double tol = 4 * many.stdErrors().get("W")[c] + 0.01 * exact;
                assertEquals(exact, est[c], tol, "column " + c);
                double ratio = few.stdErrors().get("W")[c] / many.stdErrors().get("W")[c];
                // 1/sqrt(probes): 25 → 400 probes shrinks the standard error about 4x.
                assertTrue(ratio > 2.5 && ratio < 6.5, "spread ratio " + ratio);
            }
        }
    }
}
