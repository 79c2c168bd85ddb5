package ai.onnxhap.score;

import static ai.onnxhap.testing.TestModels.floatInfo;
import static ai.onnxhap.testing.TestModels.node;
import static ai.onnxhap.testing.TestModels.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.FineTune;
import ai.onnxhap.tf.train.Loss;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Which route Hessian-vector products take, the fallback when one cannot be exact, and adaptive probe counts. */
class HutchinsonRouteTest {
    static Map<String, Integer> matrices(OnnxModel model) {
        Map<String, Integer> out = new LinkedHashMap<>();
        model.proto().getGraph().getInitializerList().stream().filter(t -> t.getDimsCount() >= 2)
                .forEach(t -> out.put(t.getName(), 0));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "resnet", "transformer", "lstm", "gru"})
    void everyFixtureGetsExactProducts(String fixture) throws Exception {
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve(fixture + "_fmnist.onnx"));
        DataSet data = ModelInputs.bind(DataLoader.load(TestModels.testdata().resolve(fixture + "_fmnist.npz")),
                model).slice(0, 4);
        String output = Graph.of(model).outputs().get(0).name();
        try (TfModel tf = TfModel.build(model)) {
            HutchinsonTrace trace = new HutchinsonTrace(FineTune.trainable(tf), output, Loss.CROSS_ENTROPY, 1.0,
                    matrices(model));
            assertEquals(HutchinsonTrace.Route.EXACT, trace.route(), () -> trace.whyNotExact().orElse(""));
            // One probe runs: the second-order kernels exist for every op on CPU, not only their gradients.
            HutchinsonTrace.Diagonal d = trace.diagonal(data, data.labels().orElseThrow(),
                    HutchinsonTrace.Probes.fixed(1), 4, 1e-3, 0, HutchinsonTrace.ProbeListener.NONE);
            assertEquals(HutchinsonTrace.Route.EXACT, d.route());
            d.values().values().forEach(v -> {
                for (double x : v) {
                    assertTrue(Double.isFinite(x));
                }
            });
        }
    }

    /** x[8,4] → Gemm(W[4,5]) → Elu → MatMul(V[5,3]): neither TF nor this registry has a gradient for EluGrad. */
    @Test
    void anOpWithoutSecondOrderGradientFallsBackToCentralDifferencesAndSaysWhich() {
        Random rnd = new Random(31);
        OnnxModel model = OnnxModel.of(TestModels.wrap(GraphProto.newBuilder().setName("elu")
                .addInput(floatInfo("x", 8, 4)).addOutput(floatInfo("y", 8, 3))
                .addInitializer(TensorCodec.encode(randomFloats("W", rnd, 4, 5)))
                .addInitializer(TensorCodec.encode(randomFloats("V", rnd, 5, 3)))
                .addNode(node("Gemm", new String[] {"x", "W"}, new String[] {"h"}))
                .addNode(node("Elu", new String[] {"h"}, new String[] {"r"}))
                .addNode(node("MatMul", new String[] {"r", "V"}, new String[] {"y"}))
                .build(), 13));
        DataSet data = new DataSet(Map.of("x", randomFloats("x", rnd, 8, 4)),
                Tensor.ofLongs("labels", new long[] {8}, new long[] {0, 1, 2, 0, 1, 2, 0, 1}));
        try (TfModel tf = TfModel.build(model)) {
            HutchinsonTrace trace = new HutchinsonTrace(FineTune.trainable(tf), "y", Loss.CROSS_ENTROPY, 1.0,
                    Map.of("W", 0, "V", 0));
            assertEquals(HutchinsonTrace.Route.FINITE_DIFFERENCE, trace.route());
            assertTrue(trace.whyNotExact().orElseThrow().contains("EluGrad"), trace.whyNotExact().get());
            HutchinsonTrace.Estimate e = trace.estimate(data, data.labels().orElseThrow(), 4, 8, 1e-3, 0);
            assertEquals(HutchinsonTrace.Route.FINITE_DIFFERENCE, e.route());
            assertTrue(Double.isFinite(e.traces().get("V")[0]));
        }
    }

    @Test
    void adaptiveProbesStopOnceTheLeastSensitiveSettleAndMatchAFixedRunOfThatLength() {
        OnnxModel model = TestModels.mlp(32, 6, 8, 3, 33);
        Random rnd = new Random(34);
        long[] labels = new long[32];
        for (int n = 0; n < labels.length; n++) {
            labels[n] = rnd.nextInt(3);
        }
        DataSet data = new DataSet(Map.of("x", randomFloats("x", rnd, 32, 6)),
                Tensor.ofLongs("labels", new long[] {32}, labels));
        Tensor y = data.labels().orElseThrow();
        try (TfModel tf = TfModel.build(model)) {
            HutchinsonTrace trace = new HutchinsonTrace(FineTune.trainable(tf), "y", Loss.CROSS_ENTROPY, 1.0,
                    Map.of("W", 1, "V", 0));
            var none = HutchinsonTrace.ProbeListener.NONE;
            HutchinsonTrace.Diagonal adaptive = trace.diagonal(data, y, HutchinsonTrace.Probes.adaptive(200), 32, 0,
                    5, none);
            assertTrue(adaptive.probes() >= 9 && adaptive.probes() < 200, "stopped after " + adaptive.probes());
            HutchinsonTrace.Diagonal fixed = trace.diagonal(data, y, HutchinsonTrace.Probes.fixed(adaptive.probes()),
                    32, 0, 5, none);
            assertArrayEquals(fixed.values().get("W"), adaptive.values().get("W"), 0);
            assertArrayEquals(fixed.values().get("V"), adaptive.values().get("V"), 0);
            // A window no run can fill draws every probe allowed.
            HutchinsonTrace.Diagonal capped = trace.diagonal(data, y, new HutchinsonTrace.Probes(1, 12, 12, 0.3), 32, 0,
                    5, none);
            assertEquals(12, capped.probes());
        }
    }
}
