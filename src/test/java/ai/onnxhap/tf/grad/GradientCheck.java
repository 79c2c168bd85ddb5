package ai.onnxhap.tf.grad;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;

/**
 * Checks TF gradients of an op against central finite differences of the op itself, in float64: the scalar
 * y = Σ f(inputs) ⊙ R with a fixed random R, so that every output element weighs in with a different factor;
 * TF's dy/d(input) then runs through the op's registered gradient with upstream R.
 */
final class GradientCheck {
    /** A floating input of the op, fed through a placeholder. */
    record Input(long[] shape, double[] values) {
        static Input random(Random rnd, long... shape) {
            double[] v = new double[Math.toIntExact(Shape.of(shape).size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextGaussian();
            }
            return new Input(shape, v);
        }
    }

    /** Per input, the gradient by TF and by finite differences, flat. */
    record Comparison(List<double[]> tf, List<double[]> numeric) {
        /** The largest |TF − numeric| over input {@code k}, relative to the largest |numeric| there (or 1 if 0). */
        double relativeError(int k) {
            double diff = 0;
            double scale = 0;
            for (int i = 0; i < tf.get(k).length; i++) {
                diff = Math.max(diff, Math.abs(tf.get(k)[i] - numeric.get(k)[i]));
                scale = Math.max(scale, Math.abs(numeric.get(k)[i]));
            }
            return diff / Math.max(scale, 1);
        }

        double maxAbs(int k) {
            double m = 0;
            for (double v : tf.get(k)) {
                m = Math.max(m, Math.abs(v));
            }
            return m;
        }
    }

    private GradientCheck() {
    }

    /**
     * @param op     builds the op under test from the placeholders of {@code inputs} (integer inputs such as
     *               shapes and window sizes are constants inside it)
     * @param epsilon central-difference step; the error is O(ε²) for smooth ops and exactly 0 for bilinear ones
     */
    static Comparison compare(BiFunction<Ops, List<Operand<TFloat64>>, Operand<TFloat64>> op, List<Input> inputs,
                              double epsilon, long seed) {
        SecondOrderGradients.register();
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            List<Operand<TFloat64>> in = new ArrayList<>();
            for (Input i : inputs) {
                in.add(tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(i.shape()))));
            }
            Operand<TFloat64> f = op.apply(tf, in);
            long[] outShape = f.shape().asArray();
            Input weights = Input.random(new Random(seed), outShape);
            Operand<TFloat64> y = tf.reduceSum(tf.math.mul(f, tf.constant(Shape.of(outShape),
                    DataBuffers.of(weights.values(), true, false))), tf.range(tf.constant(0), tf.rank(f),
                    tf.constant(1)));
            Output<?>[] grads = g.addGradients(y.asOutput(), in.stream().map(Operand::asOutput).toArray(Output[]::new));
            List<double[]> analytic = new ArrayList<>();
            for (int k = 0; k < grads.length; k++) {
                analytic.add(run(s, in, inputs, grads[k]));
            }
            List<double[]> numeric = new ArrayList<>();
            for (int k = 0; k < inputs.size(); k++) {
                double[] values = inputs.get(k).values();
                double[] d = new double[values.length];
                for (int i = 0; i < values.length; i++) {
                    double keep = values[i];
                    values[i] = keep + epsilon;
                    double plus = run(s, in, inputs, y.asOutput())[0];
                    values[i] = keep - epsilon;
                    double minus = run(s, in, inputs, y.asOutput())[0];
                    values[i] = keep;
                    d[i] = (plus - minus) / (2 * epsilon);
                }
                numeric.add(d);
            }
            return new Comparison(analytic, numeric);
        }
    }

    private static double[] run(Session s, List<Operand<TFloat64>> placeholders, List<Input> inputs, Output<?> fetch) {
        List<TFloat64> fed = new ArrayList<>();
        try {
            Session.Runner r = s.runner();
            for (int k = 0; k < inputs.size(); k++) {
                TFloat64 t = TFloat64.tensorOf(Shape.of(inputs.get(k).shape()),
                        DataBuffers.of(inputs.get(k).values().clone(), true, false));
                fed.add(t);
                r.feed(placeholders.get(k), t);
            }
            try (Result res = r.fetch(fetch).run()) {
                TFloat64 out = (TFloat64) res.get(0);
                double[] values = new double[Math.toIntExact(out.shape().size())];
                out.copyTo(DataBuffers.of(values, false, false));
                return values;
            }
        } finally {
            fed.forEach(TFloat64::close);
        }
    }
}
