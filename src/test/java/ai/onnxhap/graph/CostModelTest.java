package ai.onnxhap.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.testing.TestModels;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CostModelTest {

    @Test
    void convMacsFollowTheClosedForm() {
        // N=2, C_in=4, C_out=8, 3x3, stride 2, pad 1, group 2 on 9x9: H_out = (9 + 2 - 3) / 2 + 1 = 5.
        Graph g = Graph.of(TestModels.conv(2, 4, 8, 3, 2, 1, 2, 9, 9, 1));
        Map<String, long[]> shapes = Map.of("x", new long[] {2, 4, 9, 9}, "W", new long[] {8, 2, 3, 3},
                "y", new long[] {2, 8, 5, 5});
        LayerCost c = CostModel.perNode(g, shapes).get(0);
        long expected = 2L * 8 * 5 * 5 * (4 / 2) * 3 * 3;
        assertEquals(expected, c.macs());
        assertEquals(2 * expected + 2 * 8 * 5 * 5, c.flops(), "bias adds one FLOP per output");
        assertEquals(8 * 2 * 3 * 3 + 8, c.params());
    }

    @Test
    void gemmAndMatMulMacs() {
        Graph g = Graph.of(TestModels.mlp(3, 8, 16, 4, 1));
        Map<String, long[]> shapes = Map.of("x", new long[] {3, 8}, "h", new long[] {3, 16}, "r", new long[] {3, 16},
                "y", new long[] {3, 4}, "V", new long[] {16, 4});
        List<LayerCost> costs = CostModel.perNode(g, shapes);
        assertEquals(3L * 16 * 8, costs.get(0).macs());
        assertEquals(0L, costs.get(1).macs());
        assertEquals(3L * 16, costs.get(1).flops(), "Relu: one FLOP per element");
        assertEquals(3L * 4 * 16, costs.get(2).macs());
        assertEquals(8 * 16 + 16 + 16 * 4, CostModel.parameterCount(g));
    }

    @Test
    void batchedMatMulAndRecurrentMacs() {
        NodeProto mm = NodeProto.newBuilder().setOpType("MatMul").addInput("a").addInput("b").addOutput("c").build();
        NodeProto lstm = NodeProto.newBuilder().setOpType("LSTM").addInput("x").addInput("W").addInput("R")
                .addOutput("Y").build();
        GraphProto gp = GraphProto.newBuilder().addInput(TestModels.floatInfo("a")).addInput(TestModels.floatInfo("b"))
                .addInput(TestModels.floatInfo("x")).addInput(TestModels.floatInfo("W")).addInput(TestModels.floatInfo("R"))
                .addNode(mm).addNode(lstm).addOutput(TestModels.floatInfo("c")).addOutput(TestModels.floatInfo("Y")).build();
        Graph g = Graph.of(OnnxModel.of(TestModels.wrap(gp, 13)));
        Map<String, long[]> shapes = Map.of("a", new long[] {5, 2, 7, 3}, "b", new long[] {3, 11},
                "c", new long[] {5, 2, 7, 11}, "x", new long[] {6, 4, 10}, "W", new long[] {2, 80, 10},
                "R", new long[] {2, 80, 20}, "Y", new long[] {6, 2, 4, 20});
        List<LayerCost> costs = CostModel.perNode(g, shapes);
        assertEquals(5L * 2 * 7 * 11 * 3, costs.get(0).macs());
        // 6 steps x 4 sequences, both directions: W·x (80x10) and R·h (80x20) per step.
        assertEquals(6L * 4 * 2 * (80 * 10 + 80 * 20), costs.get(1).macs());
    }

    @Test
    void integerInitializersAreNotParameters() {
        Random rnd = new Random(1);
        GraphProto gp = GraphProto.newBuilder().addInput(TestModels.floatInfo("x", 2, 6))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("shape", new long[] {2}, new long[] {3, 4})))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("scale", rnd, 12)))
                .addNode(NodeProto.newBuilder().setOpType("Reshape").addInput("x").addInput("shape").addOutput("r"))
                .addOutput(TestModels.floatInfo("r")).build();
        assertEquals(12, CostModel.parameterCount(Graph.of(OnnxModel.of(TestModels.wrap(gp, 13)))));
    }

    @Test
    void nodesComeInTopologicalOrderWhateverTheFileOrder() {
        GraphProto mlp = TestModels.mlp(1, 2, 2, 2, 1).proto().getGraph();
        GraphProto reversed = mlp.toBuilder().clearNode().addNode(mlp.getNode(2)).addNode(mlp.getNode(0))
                .addNode(mlp.getNode(1)).build();
        Graph g = Graph.of(OnnxModel.of(TestModels.wrap(reversed, 13)));
        assertEquals(List.of("fc1", "act", "fc2"), g.nodes().stream().map(Node::name).toList());
        assertEquals("fc1", g.producer("h").orElseThrow().name());
        assertEquals(List.of("act"), g.consumers("h").stream().map(Node::name).toList());
        assertArrayEquals(new long[] {1, 2}, g.inputs().get(0).dims());
    }
}
