package ai.onnxhap.tf.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainerTest {
    static final float[] X = {1, 2, -1, 0.5f, 0, -3};
    static final float[] W0 = {0.1f, -0.2f, 0.3f, 0.4f};

    static DataSet data(float[] x, int n, int in) {
        return DataSet.of(Map.of("x", Tensor.ofFloats("x", new long[] {n, in}, x)));
    }

    static TrainConfig config(TrainConfig.Optimizer opt, double lr, double momentum, double decay) {
        return new TrainConfig(1, 64, lr, opt, momentum, decay, TrainConfig.Schedule.CONSTANT, 1, 0.1, 2.0, 0);
    }

    /** MSE on y = x·W + b over 3 samples, 2 outputs: dL/dW = 2/(N·C) · xᵀ(xW + b − t). */
    static float[] mseGradW(float[] w, float[] t) {
        float[] g = new float[4];
        for (int s = 0; s < 3; s++) {
            for (int o = 0; o < 2; o++) {
                float y = X[2 * s] * w[o] + X[2 * s + 1] * w[2 + o];
                float r = y - t[2 * s + o];
                g[o] += 2f / 6 * X[2 * s] * r;
                g[2 + o] += 2f / 6 * X[2 * s + 1] * r;
            }
        }
        return g;
    }

    @Test
    void oneSgdStepMatchesTheClosedForm() {
        float[] t = {1, 0, 0, 1, 1, 1};
        try (LinearModel m = new LinearModel(W0, 2, 2)) {
            Trainer trainer = new Trainer(m, "y", Loss.MSE, config(TrainConfig.Optimizer.SGD, 0.1, 0.9, 0), Map.of(),
                    Set.of());
            trainer.step(data(X, 3, 2), Tensor.ofFloats("t", new long[] {3, 2}, t), 0.1);
            float[] g = mseGradW(W0, t);
            float[] expected = new float[4];
            for (int i = 0; i < 4; i++) {
                expected[i] = W0[i] - 0.1f * g[i];
            }
            assertArrayEquals(expected, m.values(m.w), 1e-6f);
        }
    }

    @Test
    void oneAdamStepMatchesTheClosedForm() {
        float[] t = {1, 0, 0, 1, 1, 1};
        try (LinearModel m = new LinearModel(W0, 2, 2)) {
            Trainer trainer = new Trainer(m, "y", Loss.MSE, config(TrainConfig.Optimizer.ADAM, 0.01, 0.9, 0), Map.of(),
                    Set.of());
            trainer.step(data(X, 3, 2), Tensor.ofFloats("t", new long[] {3, 2}, t), 0.01);
            float[] g = mseGradW(W0, t);
            double lrT = 0.01 * Math.sqrt(1 - 0.999) / (1 - 0.9);
            for (int i = 0; i < 4; i++) {
                double mHat = 0.1 * g[i];
                double v = 0.001 * g[i] * g[i];
                double expected = W0[i] - lrT * mHat / (Math.sqrt(v) + 1e-8);
                assertEquals(expected, m.values(m.w)[i], 1e-6, "W[" + i + "]");
            }
        }
    }

    @Test
    void maskedWeightsStayExactlyZeroAndFrozenOnesDoNotMove() {
        Random rnd = new Random(1);
        float[] x = new float[64 * 2];
        float[] t = new float[64 * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
            t[i] = (float) rnd.nextGaussian();
        }
        Tensor mask = Tensor.ofFloats("W", new long[] {2, 2}, new float[] {1, 0, 0, 1});
        try (LinearModel m = new LinearModel(W0, 2, 2)) {
            TrainConfig c = new TrainConfig(5, 8, 0.05, TrainConfig.Optimizer.ADAM, 0.9, 0.01,
                    TrainConfig.Schedule.COSINE, 1, 0.1, 2.0, 3);
            Trainer trainer = new Trainer(m, "y", Loss.MSE, c, Map.of("W", mask), Set.of("b"));
            assertEquals(List.of("W"), trainer.trainedParameters());
            trainer.fit(data(x, 64, 2), Tensor.ofFloats("t", new long[] {64, 2}, t), ProgressListener.NONE);
            float[] w = m.values(m.w);
            assertEquals(0f, w[1]);
            assertEquals(0f, w[2]);
            assertTrue(w[0] != W0[0] && w[3] != W0[3]);
            assertArrayEquals(new float[] {0, 0}, m.values(m.b));
        }
    }

    @Test
    void crossEntropyLearnsSeparableClassesAndRepeatsWithTheSeed() {
        Random rnd = new Random(7);
        int n = 300;
        float[] x = new float[n * 2];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            double angle = 2 * Math.PI * c / 3;
            x[2 * i] = (float) (3 * Math.cos(angle) + rnd.nextGaussian() * 0.5);
            x[2 * i + 1] = (float) (3 * Math.sin(angle) + rnd.nextGaussian() * 0.5);
            y[i] = c;
        }
        float[][] finals = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (LinearModel m = new LinearModel(new float[6], 2, 3)) {
                TrainConfig c = new TrainConfig(10, 32, 0.1, TrainConfig.Optimizer.SGD, 0.9, 1e-4,
                        TrainConfig.Schedule.STEP, 5, 0.5, 2.0, 11);
                Trainer trainer = new Trainer(m, "y", Loss.CROSS_ENTROPY, c, Map.of(), Set.of());
                var history = trainer.fit(data(x, n, 2), Tensor.ofLongs("labels", new long[] {n}, y), ProgressListener.NONE);
                assertTrue(history.get(9).meanLoss() < 0.3 * history.get(0).meanLoss(), history.toString());
                assertEquals(0.05, history.get(9).learningRate(), 1e-9, "step schedule halves every 5 epochs");
                float[] w = m.values(m.w);
                int correct = 0;
                for (int i = 0; i < n; i++) {
                    int best = 0;
                    double bestScore = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < 3; k++) {
                        double s = x[2 * i] * w[k] + x[2 * i + 1] * w[3 + k] + m.values(m.b)[k];
                        if (s > bestScore) {
                            bestScore = s;
                            best = k;
                        }
                    }
                    correct += best == y[i] ? 1 : 0;
                }
                assertTrue(correct >= 0.95 * n, correct + " of " + n);
                finals[run] = w;
            }
        }
        assertArrayEquals(finals[0], finals[1], "same seed, same weights");
    }

    @Test
    void distillationOfATeacherByItselfCostsTheTemperedEntropy() {
        float[] teacherLogits = {0.3f, -0.4f, 1.1f, 0.2f, 0.5f, -0.9f};
        try (LinearModel m = new LinearModel(W0, 2, 2)) {
            Trainer trainer = new Trainer(m, "y", Loss.DISTILLATION, config(TrainConfig.Optimizer.SGD, 0.1, 0, 0),
                    Map.of(), Set.of());
            // The student's logits for X under W0 and b = 0, used as the teacher: KL = 0, cross-entropy = entropy.
            float[] z = new float[6];
            for (int s = 0; s < 3; s++) {
                for (int o = 0; o < 2; o++) {
                    z[2 * s + o] = X[2 * s] * W0[o] + X[2 * s + 1] * W0[2 + o];
                }
            }
            double t = 2.0;
            double entropy = 0;
            for (int s = 0; s < 3; s++) {
                double a = z[2 * s] / t;
                double b = z[2 * s + 1] / t;
                double lse = Math.log(Math.exp(a) + Math.exp(b));
                entropy -= Math.exp(a - lse) * (a - lse) + Math.exp(b - lse) * (b - lse);
            }
            double expected = entropy / 3 * t * t;
            assertEquals(expected, trainer.evaluate(data(X, 3, 2), Tensor.ofFloats("z", new long[] {3, 2}, z)), 1e-5);
            assertTrue(teacherLogits.length == 6);
        }
    }

    @Test
    void divergenceStopsWithAClearMessage() {
        float[] t = {1e3f, 0, 0, 1e3f, 1e3f, 1e3f};
        try (LinearModel m = new LinearModel(W0, 2, 2)) {
            TrainConfig c = new TrainConfig(50, 3, 1e6, TrainConfig.Optimizer.SGD, 0.9, 0, TrainConfig.Schedule.CONSTANT,
                    1, 0.1, 2.0, 0);
            Trainer trainer = new Trainer(m, "y", Loss.MSE, c, Map.of(), Set.of());
            OnnxHapException e = assertThrows(OnnxHapException.class, () -> trainer.fit(data(X, 3, 2),
                    Tensor.ofFloats("t", new long[] {3, 2}, t), ProgressListener.NONE));
            assertTrue(e.getMessage().startsWith("training diverged at epoch"), e.getMessage());
        }
    }
}
