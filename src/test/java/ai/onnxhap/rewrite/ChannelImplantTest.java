package ai.onnxhap.rewrite;

import static ai.onnxhap.testing.TestModels.floatInfo;
import static ai.onnxhap.testing.TestModels.integer;
import static ai.onnxhap.testing.TestModels.ints;
import static ai.onnxhap.testing.TestModels.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.compress.ImplantFitting;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.deps.GroupFinder;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Implants keep every unit where the next layer expects it: where the implant can represent the original
 * filters exactly (a 1×1 filter, or a k×k filter that is only its centre tap), the implanted model computes
 * what the model with only the removed units cut computes, in ONNX Runtime.
 */
class ChannelImplantTest {
    private static final int[] REMOVED = {1, 5};
    private static final int[] IMPLANTED = {2, 9, 12};

    /** x[2,8,10,10] → Conv(k1, stride) → Relu → Conv(k2) → y, 16 channels between. */
    private static OnnxModel twoConvs(long k1, long stride, long k2, long seed) {
        Random rnd = new Random(seed);
        GraphProto g = GraphProto.newBuilder().setName("two")
                .addInput(floatInfo("x", 2, 8, 10, 10))
                .addOutput(floatInfo("y"))
                .addInitializer(TensorCodec.encode(randomFloats("W1", rnd, 16, 8, k1, k1)))
                .addInitializer(TensorCodec.encode(randomFloats("B1", rnd, 16)))
                .addInitializer(TensorCodec.encode(randomFloats("W2", rnd, 4, 16, k2, k2)))
                .addNode(NodeProto.newBuilder().setName("conv1").setOpType("Conv").addInput("x").addInput("W1")
                        .addInput("B1").addOutput("h").addAttribute(ints("kernel_shape", k1, k1))
                        .addAttribute(ints("strides", stride, stride))
                        .addAttribute(ints("pads", k1 / 2, k1 / 2, k1 / 2, k1 / 2)).addAttribute(integer("group", 1)))
                .addNode(NodeProto.newBuilder().setName("relu").setOpType("Relu").addInput("h").addOutput("r"))
                .addNode(NodeProto.newBuilder().setName("conv2").setOpType("Conv").addInput("r").addInput("W2")
                        .addOutput("y").addAttribute(ints("kernel_shape", k2, k2))
                        .addAttribute(ints("pads", k2 / 2, k2 / 2, k2 / 2, k2 / 2)))
                .build();
        return OnnxModel.of(TestModels.wrap(g, 13));
    }

    private static Map<String, long[]> shapes(OnnxModel m) {
        return OrtShapeOracle.INSTANCE.shapes(m, Map.of("x", new long[] {2, 8, 10, 10}));
    }

    private static PruningGroup conv1Channels(OnnxModel m) {
        return new GroupFinder(Graph.of(m), shapes(m)).findAll().stream().filter(g -> g.rootNode().equals("conv1"))
                .findFirst().orElseThrow();
    }

    private static Tensor input() {
        return randomFloats("x", new Random(7), 2, 8, 10, 10);
    }

    private static float[] run(OnnxModel m) {
        try (OrtModel ort = OrtModel.open(m)) {
            return ort.run(Map.of("x", input())).get("y").floats();
        }
    }

    private static void assertSameOutputs(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double scale = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(err <= 1e-5 * scale + 1e-6, "max error " + err + " at output scale " + scale);
    }

    @Test
    void pointwiseImplantOfOneByOneFiltersMatchesTheCutModel() {
        OnnxModel m = twoConvs(1, 1, 3, 1);
        PruningGroup g = conv1Channels(m);
        assertNull(ChannelImplant.refusal(Graph.of(m), g));
        ChannelImplant.Result r = ChannelImplant.apply(m, List.of(new ChannelImplant.Decision(g, REMOVED, IMPLANTED)),
                shapes(m), ChannelImplant.Style.POINTWISE, 0.5);
        OnnxModel cut = Surgeon.apply(m, List.of(new Surgeon.Cut(g, REMOVED)), shapes(m));
        assertSameOutputs(run(cut), run(r.model()));
        assertEquals(1, r.implants().size());
        ChannelImplant.Implant im = r.implants().get(0);
        assertEquals(ChannelImplant.Style.POINTWISE, im.style());
        assertTrue(java.util.Arrays.equals(IMPLANTED, im.originalChannels()));
        assertTrue(Graph.of(r.model()).nodes().stream().anyMatch(n -> n.opType().equals("Concat")));
        assertEquals(List.of(16L - REMOVED.length, 8L, 1L, 1L).stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b),
                Graph.of(r.model()).initializer("W1/kept").size() + Graph.of(r.model()).initializer("W1/implant").size());
    }

    /** A 3×3 filter that is only its centre tap is a 1×1 filter; the implant must read the same pixels (stride 2). */
    @Test
    void pointwiseImplantOfCentreOnlyFiltersIsExactAtStrideTwo() {
        OnnxModel m = centreOnly(twoConvs(3, 2, 1, 2), IMPLANTED);
        PruningGroup g = conv1Channels(m);
        ChannelImplant.Result r = ChannelImplant.apply(m, List.of(new ChannelImplant.Decision(g, new int[0], IMPLANTED)),
                shapes(m), ChannelImplant.Style.POINTWISE, 0.5);
        assertSameOutputs(run(m), run(r.model()));
        assertEquals(List.of(2L, 2L), java.util.Arrays.stream(r.implants().get(0).strides()).boxed().toList());
    }

    /** Least squares recovers the centre taps from a wrong start: the fit's closed form, through ORT activations. */
    @Test
    void leastSquaresRecoversAnExactImplantFromAWrongStart() {
        OnnxModel m = centreOnly(twoConvs(3, 2, 1, 3), IMPLANTED);
        PruningGroup g = conv1Channels(m);
        ChannelImplant.Result r = ChannelImplant.apply(m, List.of(new ChannelImplant.Decision(g, new int[0], IMPLANTED)),
                shapes(m), ChannelImplant.Style.POINTWISE, 0.5);
        ChannelImplant.Implant im = r.implants().get(0);
        Tensor w = Graph.of(r.model()).initializer(im.weight());
        Tensor wrong = randomFloats(im.weight(), new Random(11), w.shape());
        OnnxModel spoiled = r.model().withInitializerValues(Map.of(im.weight(), wrong));
        DataSet calibration = DataSet.of(Map.of("x", randomFloats("x", new Random(5), 2, 8, 10, 10)));
        ImplantFitting.Fitted f = ImplantFitting.fit(m, spoiled, r.implants(), calibration,
                OrtModel.Options.defaults(), 0);
        assertTrue(f.errors().get(0)[0] > 0.1, "a random start is far off: " + f.errors().get(0)[0]);
        assertTrue(f.errors().get(0)[1] < 1e-4, "the fit is exact: " + f.errors().get(0)[1]);
        assertSameOutputs(run(m), run(f.model()));
    }

    /** Low-rank implants on a Gemm's neurons run, and the fit never makes the implanted outputs worse. */
    @Test
    void lowRankImplantOnGemmNeuronsFitsNoWorseThanItsSvdStart() {
        OnnxModel m = TestModels.mlp(32, 24, 40, 6, 4);
        Map<String, long[]> shapes = OrtShapeOracle.INSTANCE.shapes(m, Map.of("x", new long[] {32, 24}));
        PruningGroup g = new GroupFinder(Graph.of(m), shapes).findAll().stream()
                .filter(x -> x.rootNode().equals("fc1")).findFirst().orElseThrow();
        int[] implanted = {0, 3, 4, 8, 11, 20, 21, 30};
        ChannelImplant.Result r = ChannelImplant.apply(m, List.of(new ChannelImplant.Decision(g, new int[] {1, 2},
                implanted)), shapes, ChannelImplant.Style.LOWRANK, 0.5);
        assertEquals(ChannelImplant.Style.LOWRANK, r.implants().get(0).style());
        assertTrue(r.implants().get(0).paramsAfter() < r.implants().get(0).paramsBefore());
        DataSet calibration = DataSet.of(Map.of("x", randomFloats("x", new Random(9), 32, 24)));
        ImplantFitting.Fitted f = ImplantFitting.fit(m, r.model(), r.implants(), calibration,
                OrtModel.Options.defaults(), 0);
        double[] e = f.errors().get(0);
        assertTrue(e[1] <= e[0] && e[1] < 1, "error " + e[0] + " -> " + e[1]);
        try (OrtModel ort = OrtModel.open(f.model())) {
            assertEquals(List.of(32L, 6L), java.util.Arrays.stream(ort.run(Map.of("x", calibration.input("x")))
                    .get("y").shape()).boxed().toList());
        }
    }

    /** Zeroes every tap but the centre of the given output channels' filters in W1. */
    private static OnnxModel centreOnly(OnnxModel m, int[] channels) {
        Tensor w = Graph.of(m).initializer("W1");
        float[] v = w.floats().clone();
        long[] s = w.shape();
        int window = (int) (s[2] * s[3]);
        int centre = (int) ((s[2] / 2) * s[3] + s[3] / 2);
        for (int c : channels) {
            for (int i = 0; i < s[1]; i++) {
                for (int t = 0; t < window; t++) {
                    if (t != centre) {
                        v[(int) ((c * s[1] + i) * window + t)] = 0;
                    }
                }
            }
        }
        return m.withInitializerValues(Map.of("W1", Tensor.ofFloats("W1", s, v)));
    }
}
