package ai.onnxhap.graph.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.rewrite.Surgeon;
import ai.onnxhap.testing.Masking;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A Conv whose channels a Split divides between two branches: widths are rewritten, outputs match masking. */
class SplitPruningTest {

    static OnnxModel splitModel(long opset) {
        Random rnd = new Random(5);
        NodeProto.Builder split = NodeProto.newBuilder().setName("split").setOpType("Split").addInput("h")
                .addOutput("a").addOutput("b").addAttribute(TestModels.integer("axis", 1));
        GraphProto.Builder g = GraphProto.newBuilder().setName("split")
                .addInput(TestModels.floatInfo("x", 1, 4, 6, 6))
                .addOutput(TestModels.floatInfo("y"))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("W0", rnd, 8, 4, 3, 3)))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("Wa", rnd, 4, 3, 1, 1)))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("Wb", rnd, 4, 5, 1, 1)))
                .addNode(NodeProto.newBuilder().setName("conv0").setOpType("Conv").addInput("x").addInput("W0")
                        .addOutput("h").addAttribute(TestModels.ints("pads", 1, 1, 1, 1)));
        if (opset >= 13) {
            g.addInitializer(TensorCodec.encode(Tensor.ofLongs("widths", new long[] {2}, new long[] {3, 5})));
            split.addInput("widths");
        } else {
            split.addAttribute(TestModels.ints("split", 3, 5));
        }
        g.addNode(split)
                .addNode(NodeProto.newBuilder().setName("conva").setOpType("Conv").addInput("a").addInput("Wa").addOutput("ya"))
                .addNode(NodeProto.newBuilder().setName("convb").setOpType("Conv").addInput("b").addInput("Wb").addOutput("yb"))
                .addNode(NodeProto.newBuilder().setName("sum").setOpType("Add").addInput("ya").addInput("yb").addOutput("y"));
        return OnnxModel.of(TestModels.wrap(g.build(), opset));
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 13})
    void splitWidthsFollowTheCut(long opset) {
        OnnxModel model = splitModel(opset);
        Graph graph = Graph.of(model);
        Map<String, long[]> shapes = OrtShapeOracle.INSTANCE.shapes(model, InputShapes.resolve(graph, Map.of(), 1));
        PruningGroup g = new GroupFinder(graph, shapes).findAll().stream()
                .filter(x -> x.rootNode().equals("conv0")).findFirst().orElseThrow();
        assertTrue(g.prunable(), g.reason());
        // Channels 1 and 2 sit in the first branch, 6 in the second.
        Surgeon.Cut cut = new Surgeon.Cut(g, new int[] {1, 2, 6});
        OnnxModel pruned = Surgeon.apply(model, List.of(cut), shapes);
        Map<String, long[]> after = OrtShapeOracle.INSTANCE.shapes(pruned, Map.of("x", new long[] {1, 4, 6, 6}));
        assertEquals(1, after.get("a")[1]);
        assertEquals(4, after.get("b")[1]);
        Map<String, Tensor> inputs = OrtShapeOracle.syntheticInputs(graph, Map.of("x", new long[] {1, 4, 6, 6}), 2);
        float[] expected;
        float[] actual;
        try (OrtModel a = OrtModel.open(Masking.masked(model, List.of(cut))); OrtModel b = OrtModel.open(pruned)) {
            expected = a.run(inputs).get("y").floats();
            actual = b.run(inputs).get("y").floats();
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])));
        }
    }
}
