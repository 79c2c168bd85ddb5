package ai.onnxhap.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConstantFolderTest {

    /** The chain PyTorch emits for x.reshape(x.shape[0], -1, heads): Shape, Gather, Unsqueeze, Concat, Reshape. */
    @Test
    void foldsTheExportersShapeChain() {
        GraphProto gp = GraphProto.newBuilder()
                .addInput(TestModels.floatInfo("x", -1, 6, 8))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("zero", new long[0], new long[] {0})))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("axes", new long[] {1}, new long[] {0})))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("rest", new long[] {2}, new long[] {-1, 4})))
                .addNode(NodeProto.newBuilder().setOpType("Shape").addInput("x").addOutput("s"))
                .addNode(NodeProto.newBuilder().setOpType("Gather").addInput("s").addInput("zero").addOutput("b"))
                .addNode(NodeProto.newBuilder().setOpType("Unsqueeze").addInput("b").addInput("axes").addOutput("b1"))
                .addNode(NodeProto.newBuilder().setOpType("Concat").addInput("b1").addInput("rest").addOutput("target")
                        .addAttribute(TestModels.integer("axis", 0)))
                .addNode(NodeProto.newBuilder().setOpType("Reshape").addInput("x").addInput("target").addOutput("y"))
                .addNode(NodeProto.newBuilder().setOpType("Mul").addInput("b").addInput("b").addOutput("b2"))
                .addOutput(TestModels.floatInfo("y"))
                .build();
        Graph g = Graph.of(OnnxModel.of(TestModels.wrap(gp, 13)));
        Map<String, Tensor> folded = ConstantFolder.fold(g, Map.of("x", new long[] {3, 6, 8}));
        assertArrayEquals(new long[] {3, 6, 8}, folded.get("s").longs());
        assertArrayEquals(new long[] {3}, folded.get("b").longs());
        assertArrayEquals(new long[0], folded.get("b").shape(), "Gather with a scalar index gives a scalar");
        assertArrayEquals(new long[] {1}, folded.get("b1").shape());
        assertArrayEquals(new long[] {3, -1, 4}, folded.get("target").longs());
        assertArrayEquals(new long[] {9}, folded.get("b2").longs());
        assertFalse(folded.containsKey("y"), "data values are never folded");
        assertFalse(ConstantFolder.fold(g, Map.of()).containsKey("s"), "unknown shapes fold nothing");
    }
}
