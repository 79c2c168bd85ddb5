package ai.onnxhap.graph.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.rewrite.Surgeon;
import ai.onnxhap.testing.Masking;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hidden units of LSTM/GRU/RNN: the pruned model computes what the original computes with the removed units
 * silenced where they are read (R's columns, the next layer's or head's inputs). The states of the kept units
 * are compared too: a removed unit's own value may be anything, but it must not reach a kept one (LSTM's cell
 * state and GRU's gates mix units only through R, which is why zeroing R's columns is a complete reference).
 */
class RecurrentPruningTest {
    private static final int SEQ = 5;
    private static final int BATCH = 3;
    private static final int FEATURES = 6;
    private static final int HIDDEN = 5;
    private static final int CLASSES = 4;

    /** One recurrent layer: op, direction, which optional inputs it has, GRU's linear_before_reset. */
    record Layer(String op, boolean bidirectional, boolean bias, boolean initial, boolean peephole,
                 int linearBeforeReset) {
        int gates() {
            return switch (op) {
                case "LSTM" -> 4;
                case "GRU" -> 3;
                default -> 1;
            };
        }

        int dirs() {
            return bidirectional ? 2 : 1;
        }
    }

    /**
     * A case: layers stacked through Squeeze (unidirectional) or Transpose+Reshape (bidirectional), an optional
     * MatMul projection before the first layer, and a Gemm head on the last layer's final state, read from
     * Y_h or from Y's last time step.
     */
    record Case(String name, List<Layer> layers, boolean headFromY, boolean projection) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        Layer lstm = new Layer("LSTM", false, true, true, true, 0);
        Layer bareLstm = new Layer("LSTM", false, false, false, false, 0);
        return Stream.of(
                new Case("lstm", List.of(lstm), true, false),
                new Case("lstm-bare-yh", List.of(bareLstm), false, false),
                new Case("lstm-bidirectional", List.of(new Layer("LSTM", true, true, true, true, 0)), true, false),
                new Case("gru-lbr0", List.of(new Layer("GRU", false, true, true, false, 0)), true, false),
                new Case("gru-lbr1-bidirectional-yh", List.of(new Layer("GRU", true, true, true, false, 1)), false,
                        false),
                new Case("rnn", List.of(new Layer("RNN", false, true, true, false, 0)), true, false),
                new Case("rnn-bidirectional-bare", List.of(new Layer("RNN", true, false, false, false, 0)), false,
                        false),
                new Case("lstm-stacked", List.of(lstm, bareLstm), true, false),
                new Case("gru-stacked-lbr1", List.of(new Layer("GRU", false, true, false, false, 1),
                        new Layer("GRU", false, true, true, false, 1)), false, false),
                new Case("projection-lstm", List.of(lstm), false, true));
    }

    static OnnxModel build(Case c) {
        Random rnd = new Random(c.name().hashCode());
        GraphProto.Builder g = GraphProto.newBuilder().setName(c.name())
                .addInput(TestModels.floatInfo("x", SEQ, BATCH, FEATURES))
                .addOutput(TestModels.floatInfo("z"));
        g.addInitializer(TensorCodec.encode(Tensor.ofLongs("axis0", new long[] {1}, new long[] {0})));
        g.addInitializer(TensorCodec.encode(Tensor.ofLongs("axis1", new long[] {1}, new long[] {1})));
        String x = "x";
        long in = FEATURES;
        if (c.projection()) {
            g.addInitializer(TensorCodec.encode(TestModels.randomFloats("Wp", rnd, FEATURES, 7)));
            g.addNode(TestModels.node("MatMul", new String[] {"x", "Wp"}, new String[] {"xp"}));
            x = "xp";
            in = 7;
        }
        String last = null;
        for (int k = 0; k < c.layers().size(); k++) {
            Layer l = c.layers().get(k);
            boolean top = k == c.layers().size() - 1;
            String p = "l" + k + "_";
            long gh = (long) l.gates() * HIDDEN;
            g.addInitializer(TensorCodec.encode(weights(p + "W", rnd, l.dirs(), gh, in)));
            g.addInitializer(TensorCodec.encode(weights(p + "R", rnd, l.dirs(), gh, HIDDEN)));
            List<String> inputs = new ArrayList<>(List.of(x, p + "W", p + "R", l.bias() ? p + "B" : "", ""));
            if (l.bias()) {
                g.addInitializer(TensorCodec.encode(weights(p + "B", rnd, l.dirs(), 2 * gh)));
            }
            if (l.initial()) {
                g.addInitializer(TensorCodec.encode(weights(p + "h0", rnd, l.dirs(), BATCH, HIDDEN)));
                inputs.add(p + "h0");
                if (l.op().equals("LSTM")) {
                    g.addInitializer(TensorCodec.encode(weights(p + "c0", rnd, l.dirs(), BATCH, HIDDEN)));
                    inputs.add(p + "c0");
                }
            } else if (l.peephole()) {
                inputs.addAll(List.of("", ""));
            }
            if (l.peephole()) {
                g.addInitializer(TensorCodec.encode(weights(p + "P", rnd, l.dirs(), 3L * HIDDEN)));
                inputs.add(p + "P");
            }
            boolean yUsed = !top || c.headFromY();
            List<String> outputs = new ArrayList<>(List.of(yUsed ? p + "Y" : "", p + "Yh"));
            if (l.op().equals("LSTM")) {
                outputs.add(p + "Yc");
            }
            NodeProto.Builder n = NodeProto.newBuilder().setName(p + l.op()).setOpType(l.op())
                    .addAllInput(inputs).addAllOutput(outputs)
                    .addAttribute(TestModels.integer("hidden_size", HIDDEN));
            if (l.bidirectional()) {
                n.addAttribute(AttributeProto.newBuilder().setName("direction")
                        .setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8("bidirectional")));
            }
            if (l.op().equals("GRU")) {
                n.addAttribute(TestModels.integer("linear_before_reset", l.linearBeforeReset()));
            }
            g.addNode(n);
            if (!top) {
                // Y [S, 1, B, H] → [S, B, H] feeds the next layer's W columns.
                g.addNode(TestModels.node("Squeeze", new String[] {p + "Y", "axis1"}, new String[] {p + "seq"}));
                x = p + "seq";
                in = HIDDEN;
            } else if (c.headFromY()) {
                // The last time step of Y: [1, dirs, B, H] → [dirs, B, H].
                g.addInitializer(TensorCodec.encode(Tensor.ofLongs("last", new long[] {1}, new long[] {SEQ - 1})));
                g.addInitializer(TensorCodec.encode(Tensor.ofLongs("end", new long[] {1}, new long[] {SEQ})));
                g.addNode(TestModels.node("Slice", new String[] {p + "Y", "last", "end", "axis0"},
                        new String[] {p + "Ylast"}));
                g.addNode(TestModels.node("Squeeze", new String[] {p + "Ylast", "axis0"}, new String[] {p + "final"}));
                last = p + "final";
            } else {
                last = p + "Yh";
            }
            if (top) {
                String features = directionsSideBySide(g, last, l.dirs());
                g.addInitializer(TensorCodec.encode(TestModels.randomFloats("Wfc", rnd, CLASSES,
                        (long) l.dirs() * HIDDEN)));
                g.addInitializer(TensorCodec.encode(TestModels.randomFloats("bfc", rnd, CLASSES)));
                g.addNode(TestModels.node("Gemm", new String[] {features, "Wfc", "bfc"}, new String[] {"z"},
                        TestModels.integer("transB", 1)));
            }
        }
        return OnnxModel.of(TestModels.wrap(g.build(), 13));
    }

    /** [dirs, B, H] → [B, dirs·H]: Squeeze for one direction, Gather both and Concat for two (as torch exports). */
    private static String directionsSideBySide(GraphProto.Builder g, String state, int dirs) {
        if (dirs == 1) {
            g.addNode(TestModels.node("Squeeze", new String[] {state, "axis0"}, new String[] {"features"}));
            return "features";
        }
        g.addInitializer(TensorCodec.encode(Tensor.ofLongs("fwd", new long[0], new long[] {0})));
        g.addInitializer(TensorCodec.encode(Tensor.ofLongs("bwd", new long[0], new long[] {1})));
        g.addNode(TestModels.node("Gather", new String[] {state, "fwd"}, new String[] {"h_fwd"}));
        g.addNode(TestModels.node("Gather", new String[] {state, "bwd"}, new String[] {"h_bwd"}));
        g.addNode(TestModels.node("Concat", new String[] {"h_fwd", "h_bwd"}, new String[] {"features"},
                TestModels.integer("axis", 1)));
        return "features";
    }

    /** Weights large enough that the recurrence mixes units visibly (TestModels' 0.1 scale barely does). */
    private static Tensor weights(String name, Random rnd, long... dims) {
        float[] v = new float[(int) Tensor.elementCount(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * 0.6f;
        }
        return Tensor.ofFloats(name, dims, v);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyUnitGroupPrunesLikeMasking(Case c) {
        OnnxModel model = build(c);
        Map<String, long[]> shapes = shapes(model);
        List<PruningGroup> units = groups(model, shapes, PruningGroup.Kind.RNN_UNIT);
        assertEquals(c.layers().size(), units.size());
        for (PruningGroup g : units) {
            assertTrue(g.prunable(), g.id() + ": " + g.reason());
            assertTrue(g.exact(), g.id());
            assertEquals(HIDDEN, g.units());
            assertEquals(1, g.attributeEdits().size());
            assertEquivalent(model, shapes, List.of(new Surgeon.Cut(g, new int[] {0, 3})));
        }
        // All layers at once, each losing different units.
        List<Surgeon.Cut> all = new ArrayList<>();
        for (int k = 0; k < units.size(); k++) {
            all.add(new Surgeon.Cut(units.get(k), new int[] {k % HIDDEN, (k + 2) % HIDDEN}));
        }
        OnnxModel pruned = assertEquivalent(model, shapes, all);
        Graph pg = Graph.of(pruned);
        for (int k = 0; k < c.layers().size(); k++) {
            Layer l = c.layers().get(k);
            assertEquals(HIDDEN - 2, pg.node("l" + k + "_" + l.op()).orElseThrow().attrInt("hidden_size", 0));
            assertEquals(List.of((long) l.dirs(), (long) l.gates() * (HIDDEN - 2), HIDDEN - 2L),
                    List.of(pg.initializer("l" + k + "_R").shape()[0], pg.initializer("l" + k + "_R").shape()[1],
                            pg.initializer("l" + k + "_R").shape()[2]));
        }
    }

    @Test
    void aProjectionBeforeTheLayerCutsOnlyTheInputColumnsOfW() {
        OnnxModel model = build(cases().filter(c -> c.projection()).findFirst().orElseThrow());
        Map<String, long[]> shapes = shapes(model);
        PruningGroup g = groups(model, shapes, PruningGroup.Kind.NEURON).stream()
                .filter(x -> x.rootNode().startsWith("MatMul")).findFirst().orElseThrow();
        assertTrue(g.prunable(), g.reason());
        List<String> weights = g.parameters().stream().map(m -> m.tensor() + "#" + m.axis() + ":" + m.role()).toList();
        assertEquals(List.of("Wp#1:PRODUCER", "l0_W#2:CONSUMER"), weights);
        assertEquivalent(model, shapes, List.of(new Surgeon.Cut(g, new int[] {1, 4, 6})));
    }

    @Test
    void batchMajorLayoutIsRefusedWithAReason() {
        // layout=1 (opset 14): X [B, S, in], initial states and Y_h [B, dirs, H].
        Random rnd = new Random(8);
        GraphProto.Builder g = GraphProto.newBuilder().setName("batch_major")
                .addInput(TestModels.floatInfo("x", BATCH, SEQ, FEATURES)).addOutput(TestModels.floatInfo("z"))
                .addInitializer(TensorCodec.encode(weights("W", rnd, 1, 4L * HIDDEN, FEATURES)))
                .addInitializer(TensorCodec.encode(weights("R", rnd, 1, 4L * HIDDEN, HIDDEN)))
                .addInitializer(TensorCodec.encode(weights("B", rnd, 1, 8L * HIDDEN)))
                .addInitializer(TensorCodec.encode(weights("h0", rnd, BATCH, 1, HIDDEN)))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("axis1", new long[] {1}, new long[] {1})))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("Wo", rnd, HIDDEN, CLASSES)))
                .addNode(NodeProto.newBuilder().setName("lstm").setOpType("LSTM").addInput("x").addInput("W")
                        .addInput("R").addInput("B").addInput("").addInput("h0").addOutput("").addOutput("Yh")
                        .addAttribute(TestModels.integer("hidden_size", HIDDEN))
                        .addAttribute(TestModels.integer("layout", 1)))
                .addNode(TestModels.node("Squeeze", new String[] {"Yh", "axis1"}, new String[] {"last"}))
                .addNode(TestModels.node("MatMul", new String[] {"last", "Wo"}, new String[] {"z"}));
        OnnxModel model = OnnxModel.of(TestModels.wrap(g.build(), 14));
        // ONNX Runtime refuses layout=1 (so the tool could not validate a cut): shapes are given by hand.
        Map<String, long[]> shapes = Map.of("x", new long[] {BATCH, SEQ, FEATURES},
                "W", new long[] {1, 4L * HIDDEN, FEATURES}, "R", new long[] {1, 4L * HIDDEN, HIDDEN},
                "B", new long[] {1, 8L * HIDDEN}, "h0", new long[] {BATCH, 1, HIDDEN},
                "Yh", new long[] {BATCH, 1, HIDDEN}, "last", new long[] {BATCH, HIDDEN}, "z", new long[] {BATCH, CLASSES});
        PruningGroup units = groups(model, shapes, PruningGroup.Kind.RNN_UNIT).get(0);
        assertFalse(units.prunable());
        assertEquals("LSTM 'lstm' is batch-major (layout=1), which ONNX Runtime cannot run to validate a cut",
                units.reason());
    }

    @Test
    void bidirectionalOutputsMergedByAReshapePruneLikeMasking() {
        // [S, 2, B, H] → Transpose → [S, B, 2, H] → Reshape [S, B, 2H]: the unit axis is the inner one of the merge.
        Random rnd = new Random(5);
        GraphProto.Builder g = GraphProto.newBuilder().setName("bi")
                .addInput(TestModels.floatInfo("x", SEQ, BATCH, FEATURES)).addOutput(TestModels.floatInfo("z"))
                .addInitializer(TensorCodec.encode(weights("W", rnd, 2, 4L * HIDDEN, FEATURES)))
                .addInitializer(TensorCodec.encode(weights("R", rnd, 2, 4L * HIDDEN, HIDDEN)))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("shape", new long[] {3},
                        new long[] {SEQ, BATCH, 2L * HIDDEN})))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("Wo", rnd, 2L * HIDDEN, CLASSES)))
                .addNode(NodeProto.newBuilder().setName("lstm").setOpType("LSTM").addInput("x").addInput("W")
                        .addInput("R").addOutput("Y").addAttribute(TestModels.integer("hidden_size", HIDDEN))
                        .addAttribute(AttributeProto.newBuilder().setName("direction")
                                .setType(AttributeProto.AttributeType.STRING)
                                .setS(ByteString.copyFromUtf8("bidirectional"))))
                .addNode(TestModels.node("Transpose", new String[] {"Y"}, new String[] {"Yt"},
                        TestModels.ints("perm", 0, 2, 1, 3)))
                .addNode(TestModels.node("Reshape", new String[] {"Yt", "shape"}, new String[] {"seq"}))
                .addNode(TestModels.node("MatMul", new String[] {"seq", "Wo"}, new String[] {"z"}));
        OnnxModel model = OnnxModel.of(TestModels.wrap(g.build(), 13));
        Map<String, long[]> shapes = shapes(model);
        PruningGroup units = groups(model, shapes, PruningGroup.Kind.RNN_UNIT).get(0);
        assertTrue(units.prunable(), units.reason());
        // Unit u is feature u of each direction's half of the merged axis: a stride the Reshape rule follows.
        assertEquivalent(model, shapes, List.of(new Surgeon.Cut(units, new int[] {1, 3})));
    }

    @Test
    void sequenceLengthsAndComputedWeightsStopTheGroup() {
        Random rnd = new Random(6);
        GraphProto.Builder g = GraphProto.newBuilder().setName("computed")
                .addInput(TestModels.floatInfo("x", SEQ, BATCH, FEATURES)).addOutput(TestModels.floatInfo("z"))
                .addInitializer(TensorCodec.encode(weights("W0", rnd, 1, HIDDEN, FEATURES)))
                .addInitializer(TensorCodec.encode(weights("R", rnd, 1, HIDDEN, HIDDEN)))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("Wo", rnd, HIDDEN, CLASSES)))
                .addNode(TestModels.node("Neg", new String[] {"W0"}, new String[] {"W"}))
                .addNode(NodeProto.newBuilder().setName("rnn").setOpType("RNN").addInput("x").addInput("W")
                        .addInput("R").addOutput("").addOutput("Yh")
                        .addAttribute(TestModels.integer("hidden_size", HIDDEN)))
                .addNode(TestModels.node("MatMul", new String[] {"Yh", "Wo"}, new String[] {"z"}));
        OnnxModel model = OnnxModel.of(TestModels.wrap(g.build(), 13));
        PruningGroup units = groups(model, shapes(model), PruningGroup.Kind.RNN_UNIT).get(0);
        assertFalse(units.prunable());
        assertEquals("RNN 'rnn' takes computed weights", units.reason());
    }

    /** PyTorch exports: zero initial states from ConstantOfShape (its literal H is rewritten), a Linear head. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"lstm_fmnist.onnx", "gru_fmnist.onnx"})
    void torchExportsPruneLikeMasking(String file) {
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve(file));
        Map<String, long[]> shapes = shapes(model);
        PruningGroup g = groups(model, shapes, PruningGroup.Kind.RNN_UNIT).get(0);
        assertTrue(g.prunable(), g.reason());
        assertEquals(1, g.shapeEdits().size(), g.shapeEdits().toString());
        assertEquivalent(model, shapes, List.of(new Surgeon.Cut(g, new int[] {0, 5, 7})));
        int half = g.units() / 2;
        assertEquivalent(model, shapes, List.of(new Surgeon.Cut(g, IntStream.range(0, half).map(u -> 2 * u)
                .toArray())));
    }

    private static Map<String, long[]> shapes(OnnxModel model) {
        Graph graph = Graph.of(model);
        return OrtShapeOracle.INSTANCE.shapes(model, InputShapes.resolve(graph, Map.of(), BATCH));
    }

    private static List<PruningGroup> groups(OnnxModel model, Map<String, long[]> shapes, PruningGroup.Kind kind) {
        return new GroupFinder(Graph.of(model), shapes).findAll().stream().filter(g -> g.kind() == kind).toList();
    }

    /**
     * Surgery equals masking on the model output and on every recurrent node's final state, where the pruned
     * state must equal the masked one at the kept units.
     */
    private static OnnxModel assertEquivalent(OnnxModel model, Map<String, long[]> shapes, List<Surgeon.Cut> cuts) {
        OnnxModel pruned = Surgeon.apply(model, cuts, shapes);
        Graph graph = Graph.of(model);
        Map<String, int[]> keptStates = new java.util.LinkedHashMap<>();
        for (ai.onnxhap.graph.Node n : graph.nodes()) {
            if (n.opType().matches("LSTM|GRU|RNN") && n.outputs().size() > 1 && !n.output(1).isEmpty()) {
                int hidden = (int) shapes.get(n.output(1))[2];
                int[] removed = cuts.stream().filter(c -> c.group().rootNode().equals(n.name()))
                        .flatMapToInt(c -> java.util.Arrays.stream(c.removedUnits())).toArray();
                keptStates.put(n.output(1), IntStream.range(0, hidden)
                        .filter(u -> java.util.Arrays.stream(removed).noneMatch(r -> r == u)).toArray());
            }
        }
        String output = graph.outputs().get(0).name();
        Map<String, Tensor> inputs = OrtShapeOracle.syntheticInputs(graph,
                InputShapes.resolve(graph, Map.of(), BATCH), 9);
        try (OrtModel a = OrtModel.open(withOutputs(Masking.masked(model, cuts), keptStates.keySet()));
             OrtModel b = OrtModel.open(withOutputs(pruned, keptStates.keySet()))) {
            Map<String, Tensor> expected = a.run(inputs);
            Map<String, Tensor> actual = b.run(inputs);
            assertClose(expected.get(output).floats(), actual.get(output).floats(), output);
            keptStates.forEach((state, kept) -> assertClose(expected.get(state).select(2, kept).floats(),
                    actual.get(state).floats(), state));
        }
        return pruned;
    }

    private static OnnxModel withOutputs(OnnxModel model, java.util.Collection<String> values) {
        GraphProto.Builder g = model.proto().getGraph().toBuilder();
        values.forEach(v -> g.addOutput(TestModels.floatInfo(v)));
        return model.withProto(model.proto().toBuilder().setGraph(g).build());
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(scale > 0, what + " is all zeros");
        assertTrue(err <= 1e-5 * scale, what + ": max error " + err + " at scale " + scale);
    }
}
