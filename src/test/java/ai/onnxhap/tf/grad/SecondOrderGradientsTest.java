package ai.onnxhap.tf.grad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.tf.grad.GradientCheck.Comparison;
import ai.onnxhap.tf.grad.GradientCheck.Input;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.StridedSliceGrad;
import org.tensorflow.op.nn.AvgPool;
import org.tensorflow.op.nn.BiasAddGrad;
import org.tensorflow.op.nn.Conv2dBackpropFilter;
import org.tensorflow.types.TFloat64;

/**
 * Each registered gradient against central finite differences of its op, in float64 on small random inputs.
 * Smooth ops: ε = 1e-5 leaves an O(ε²) truncation error and O(1e-16/ε) rounding, so 1e-6 relative is ample;
 * ops that are linear in the input checked (most here) have no truncation error at all.
 */
class SecondOrderGradientsTest {
    static final double EPS = 1e-5;
    static final double TOL = 1e-6;

    static void assertAgrees(Comparison c, int input, String what) {
        assertTrue(c.relativeError(input) <= TOL, what + ": relative error " + c.relativeError(input));
    }

    @Test
    void registrationIsIdempotentAndSafeFromManyThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(() -> {
                    SecondOrderGradients.register();
                    return null;
                });
            }
            for (var f : pool.invokeAll(calls)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        SecondOrderGradients.register();
        assertEquals(Set.of("AvgPoolGrad", "BiasAddGrad", "Conv2DBackpropFilter", "MaxPoolGradV2", "OnesLike",
                "ReciprocalGrad", "ReluGrad", "RsqrtGrad", "SigmoidGrad", "SqrtGrad", "StridedSliceGrad", "TanhGrad"), SecondOrderGradients.opTypes());
    }

    @Test
    void reluGrad() {
        Random rnd = new Random(1);
        Input dy = Input.random(rnd, 3, 4);
        Input x = Input.random(rnd, 3, 4);
        Comparison c = GradientCheck.compare((tf, in) -> tf.nn.reluGrad(in.get(0), in.get(1)), List.of(dy, x), EPS, 2);
        assertAgrees(c, 0, "d/d(dy)");
        assertAgrees(c, 1, "d/dx");
        assertTrue(c.maxAbs(0) > 0.1, "the mask lets gradient through");
    }

    @Test
    void onesLike() {
        Input x = Input.random(new Random(3), 2, 5);
        // OnesLike alone would give y = Σ R, constant; adding x keeps the check from passing on an empty graph.
        Comparison c = GradientCheck.compare((tf, in) -> tf.math.mul(tf.onesLike(in.get(0)), tf.constant(3.0)),
                List.of(x), EPS, 4);
        assertAgrees(c, 0, "d/dx");
        assertEquals(0, c.maxAbs(0));
    }

    @Test
    void sigmoidGrad() {
        Random rnd = new Random(5);
        Input y = new Input(new long[] {2, 3}, new double[] {0.1, 0.3, 0.5, 0.7, 0.9, 0.45});
        Input dy = Input.random(rnd, 2, 3);
        Comparison c = GradientCheck.compare((tf, in) -> tf.math.sigmoidGrad(in.get(0), in.get(1)), List.of(y, dy),
                EPS, 6);
        assertAgrees(c, 0, "d/dy");
        assertAgrees(c, 1, "d/d(dy)");
    }

    @Test
    void tanhGrad() {
        Random rnd = new Random(7);
        Input y = new Input(new long[] {2, 3}, new double[] {-0.9, -0.3, 0.0, 0.2, 0.6, 0.95});
        Input dy = Input.random(rnd, 2, 3);
        Comparison c = GradientCheck.compare((tf, in) -> tf.math.tanhGrad(in.get(0), in.get(1)), List.of(y, dy),
                EPS, 8);
        assertAgrees(c, 0, "d/dy");
        assertAgrees(c, 1, "d/d(dy)");
    }

    @Test
    void sqrtGrad() {
        Random rnd = new Random(9);
        Input y = new Input(new long[] {2, 2}, new double[] {0.5, 1.0, 1.7, 2.3});
        Input dy = Input.random(rnd, 2, 2);
        Comparison c = GradientCheck.compare((tf, in) -> tf.math.sqrtGrad(in.get(0), in.get(1)), List.of(y, dy),
                EPS, 10);
        assertAgrees(c, 0, "d/dy");
        assertAgrees(c, 1, "d/d(dy)");
    }

    @Test
    void rsqrtGrad() {
        Random rnd = new Random(19);
        Input y = new Input(new long[] {2, 2}, new double[] {0.4, 0.9, 1.3, 2.1});
        Input dy = Input.random(rnd, 2, 2);
        Comparison c = GradientCheck.compare((tf, in) -> tf.math.rsqrtGrad(in.get(0), in.get(1)), List.of(y, dy),
                EPS, 20);
        assertAgrees(c, 0, "d/dy");
        assertAgrees(c, 1, "d/d(dy)");
    }

    @Test
    void reciprocalGrad() {
        Random rnd = new Random(21);
        Input y = new Input(new long[] {2, 2}, new double[] {-1.2, 0.4, 0.9, 2.5});
        Input dy = Input.random(rnd, 2, 2);
        Comparison c = GradientCheck.compare((tf, in) -> tf.math.reciprocalGrad(in.get(0), in.get(1)),
                List.of(y, dy), EPS, 22);
        assertAgrees(c, 0, "d/dy");
        assertAgrees(c, 1, "d/d(dy)");
    }

    /** A strided, masked slice (every other row from 1, the last axis from 2 on) and one that drops an axis. */
    @Test
    void stridedSliceGrad() {
        Random rnd = new Random(23);
        Input dy = Input.random(rnd, 2, 3, 2);
        Comparison c = GradientCheck.compare((tf, in) -> tf.stridedSliceGrad(tf.constant(new int[] {2, 6, 4}),
                tf.constant(new int[] {0, 1, 2}), tf.constant(new int[] {0, 6, 0}), tf.constant(new int[] {1, 2, 1}),
                in.get(0), StridedSliceGrad.beginMask(1L), StridedSliceGrad.endMask(5L)), List.of(dy), EPS, 24);
        assertAgrees(c, 0, "d/d(dy)");
        assertTrue(c.maxAbs(0) > 0.1);
        Input row = Input.random(rnd, 2, 4);
        Comparison shrunk = GradientCheck.compare((tf, in) -> tf.stridedSliceGrad(tf.constant(new int[] {2, 6, 4}),
                tf.constant(new int[] {0, 3, 0}), tf.constant(new int[] {0, 4, 0}), tf.constant(new int[] {1, 1, 1}),
                in.get(0), StridedSliceGrad.beginMask(5L), StridedSliceGrad.endMask(5L),
                StridedSliceGrad.shrinkAxisMask(2L)), List.of(row), EPS, 25);
        assertAgrees(shrunk, 0, "shrink axis d/d(dy)");
    }

    @Test
    void biasAddGradInBothLayouts() {
        Random rnd = new Random(11);
        Input dy = Input.random(rnd, 2, 3, 4, 5);
        for (String layout : List.of("NHWC", "NCHW")) {
            Comparison c = GradientCheck.compare((tf, in) -> tf.nn.biasAddGrad(in.get(0),
                    BiasAddGrad.dataFormat(layout)), List.of(dy), EPS, 12);
            assertAgrees(c, 0, layout + " d/d(dy)");
        }
    }

    @Test
    void conv2dBackpropFilterWithStridesAndEachPadding() {
        Random rnd = new Random(13);
        for (String padding : List.of("VALID", "SAME", "EXPLICIT")) {
            List<Long> strides = List.of(1L, 2L, 1L, 1L);
            // TF's CPU kernels reject dilations > 1 in Conv2DBackpropInput, first-order gradients included.
            List<Long> dilations = List.of(1L, 1L, 1L, 1L);
            List<Long> pads = padding.equals("EXPLICIT") ? List.of(0L, 0L, 1L, 0L, 0L, 2L, 0L, 0L) : List.of();
            Input x = Input.random(rnd, 2, 7, 8, 2);
            long[] dyShape = dyShape(padding, 2, 7, 8, strides, dilations, pads, 4);
            Input dy = Input.random(rnd, dyShape);
            Comparison c = GradientCheck.compare((tf, in) -> tf.nn.conv2dBackpropFilter(in.get(0),
                    tf.constant(new int[] {3, 3, 2, 4}), in.get(1), strides, padding,
                    Conv2dBackpropFilter.dilations(dilations), Conv2dBackpropFilter.explicitPaddings(pads)),
                    List.of(x, dy), EPS, 14);
            assertAgrees(c, 0, padding + " d/dx");
            assertAgrees(c, 1, padding + " d/d(dy)");
        }
    }

    /** The output shape of a 3×3 NHWC convolution, which out_backprop must have. */
    static long[] dyShape(String padding, long n, long h, long w, List<Long> strides, List<Long> dilations,
                          List<Long> pads, long cout) {
        long[] in = {h, w};
        long[] out = new long[2];
        for (int a = 0; a < 2; a++) {
            long s = strides.get(a + 1);
            long k = (3 - 1) * dilations.get(a + 1) + 1;
            out[a] = switch (padding) {
                case "SAME" -> (in[a] + s - 1) / s;
                case "VALID" -> (in[a] - k) / s + 1;
                default -> (in[a] + pads.get(2 + 2 * a) + pads.get(3 + 2 * a) - k) / s + 1;
            };
        }
        return new long[] {n, out[0], out[1], cout};
    }

    @Test
    void maxPoolGrad() {
        Random rnd = new Random(15);
        Input x = Input.random(rnd, 1, 4, 6, 2);
        Input dy = Input.random(rnd, 1, 2, 3, 2);
        // The pooled output comes from x inside the graph, as in a real backward pass; distinct random x keeps the
        // arg-max away from ties, where the finite difference would jump.
        Comparison c = GradientCheck.compare((tf, in) -> {
            Operand<TFloat64> ksize = tf.dtypes.cast(tf.constant(new int[] {1, 2, 2, 1}), TFloat64.class);
            var k = tf.constant(new int[] {1, 2, 2, 1});
            Operand<TFloat64> pooled = tf.nn.maxPool(in.get(0), k, k, "VALID");
            return tf.math.add(tf.nn.maxPoolGrad(in.get(0), pooled, in.get(1), k, k, "VALID"),
                    tf.math.mul(tf.reduceSum(ksize, tf.constant(0)), tf.constant(0.0)));
        }, List.of(x, dy), EPS, 16);
        assertAgrees(c, 0, "d/dx");
        assertAgrees(c, 1, "d/d(dy)");
        assertTrue(c.maxAbs(1) > 0.1);
    }

    @Test
    void avgPoolGrad() {
        Random rnd = new Random(17);
        Input dy = Input.random(rnd, 1, 3, 3, 2);
        Comparison c = GradientCheck.compare((tf, in) -> tf.nn.avgPoolGrad(tf.constant(new int[] {1, 6, 5, 2}),
                in.get(0), List.of(1L, 3L, 2L, 1L), List.of(1L, 2L, 2L, 1L), "SAME"), List.of(dy), EPS, 18);
        assertAgrees(c, 0, "d/d(dy)");
    }
}
