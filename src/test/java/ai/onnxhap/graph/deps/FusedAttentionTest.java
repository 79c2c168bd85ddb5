package ai.onnxhap.graph.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.OperatorSetIdProto;
import ai.onnxhap.rewrite.Surgeon;
import ai.onnxhap.testing.Masking;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Heads of ONNX Runtime's fused com.microsoft.Attention: packed Q/K/V columns, bias, num_heads, output rows. */
class FusedAttentionTest {

    static OnnxModel attentionModel() {
        Random rnd = new Random(3);
        GraphProto g = GraphProto.newBuilder().setName("fused")
                .addInput(TestModels.floatInfo("x", 2, 5, 16))
                .addOutput(TestModels.floatInfo("z"))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("W", rnd, 16, 48)))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("b", rnd, 48)))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("Wo", rnd, 16, 16)))
                .addNode(NodeProto.newBuilder().setName("attn").setOpType("Attention").setDomain("com.microsoft")
                        .addInput("x").addInput("W").addInput("b").addOutput("y")
                        .addAttribute(TestModels.integer("num_heads", 4)))
                .addNode(NodeProto.newBuilder().setName("proj").setOpType("MatMul").addInput("y").addInput("Wo")
                        .addOutput("z"))
                .build();
        ModelProto m = TestModels.wrap(g, 13).toBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1)).build();
        return OnnxModel.of(m);
    }

    @Test
    void headsOfTheFusedOpPruneLikeMasking() {
        OnnxModel model = attentionModel();
        Graph graph = Graph.of(model);
        Map<String, long[]> shapes = OrtShapeOracle.INSTANCE.shapes(model, InputShapes.resolve(graph, Map.of(), 2));
        List<PruningGroup> heads = new GroupFinder(graph, shapes).findAll().stream()
                .filter(g -> g.kind() == PruningGroup.Kind.HEAD).toList();
        assertEquals(1, heads.size());
        PruningGroup g = heads.get(0);
        assertTrue(g.prunable(), g.reason());
        assertEquals(4, g.units());
        Surgeon.Cut cut = new Surgeon.Cut(g, new int[] {1, 3});
        OnnxModel pruned = Surgeon.apply(model, List.of(cut), shapes);
        Graph pg = Graph.of(pruned);
        assertEquals(2, pg.node("attn").orElseThrow().attrInt("num_heads", 0));
        assertEquals(List.of(16L, 24L), pruned.proto().getGraph().getInitializer(0).getDimsList());
        assertEquals(List.of(8L, 16L), pruned.proto().getGraph().getInitializer(2).getDimsList());

        Map<String, Tensor> inputs = OrtShapeOracle.syntheticInputs(graph, Map.of("x", new long[] {2, 5, 16}), 9);
        float[] expected;
        float[] actual;
        try (OrtModel a = OrtModel.open(Masking.masked(model, List.of(cut))); OrtModel b = OrtModel.open(pruned)) {
            expected = a.run(inputs).get("z").floats();
            actual = b.run(inputs).get("z").floats();
        }
        double scale = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(err <= 1e-5 * scale, "max error " + err);
    }
}
