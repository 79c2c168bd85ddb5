package ai.onnxhap.tf;

import static ai.onnxhap.testing.TestModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.OperatorSetIdProto;
import ai.onnxhap.validate.OrtModel;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** If as torch.onnx writes squeeze(dim): If(Shape(x)[dim] == 1, Squeeze(x, dim), Identity(x)). */
class IfHandlerTest {
    /**
     * x [batch, d1, 3] → squeeze(1) → ReduceSum over the last axis; d1 is symbolic in the file (ONNX Runtime
     * refuses a Squeeze branch of a static dimension ≠ 1) and static when TF builds it.
     */
    static OnnxModel squeezeModel() {
        GraphProto then = GraphProto.newBuilder().setName("then")
                .addNode(NodeProto.newBuilder().setOpType("Constant").addOutput("axes").addAttribute(
                        AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                                .setT(TensorCodec.encode(Tensor.ofLongs("axes", new long[] {1}, new long[] {1})))))
                .addNode(NodeProto.newBuilder().setOpType("Squeeze").addInput("x").addInput("axes").addOutput("sq"))
                .addOutput(value("sq", DataType.FLOAT)).build();
        GraphProto otherwise = GraphProto.newBuilder().setName("else")
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("id"))
                .addOutput(value("id", DataType.FLOAT)).build();
        GraphProto g = GraphProto.newBuilder().setName("squeeze")
                .addInput(value("x", DataType.FLOAT, "batch", "d1", 3))
                .addOutput(value("y", DataType.FLOAT))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("one", new long[] {1}, new long[] {1})))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("dim", new long[0], new long[] {1})))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("last", new long[] {1}, new long[] {-1})))
                .addNode(NodeProto.newBuilder().setOpType("Shape").addInput("x").addOutput("shape"))
                .addNode(NodeProto.newBuilder().setOpType("Gather").addInput("shape").addInput("dim").addOutput("d"))
                .addNode(NodeProto.newBuilder().setOpType("Equal").addInput("d").addInput("one").addOutput("c"))
                .addNode(NodeProto.newBuilder().setOpType("If").setName("squeeze_if").addInput("c").addOutput("s")
                        .addAttribute(graph("then_branch", then)).addAttribute(graph("else_branch", otherwise)))
                .addNode(NodeProto.newBuilder().setOpType("ReduceSum").addInput("s").addInput("last").addOutput("y"))
                .build();
        return OnnxModel.of(ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(14)).setGraph(g).build());
    }

    static AttributeProto graph(String name, GraphProto g) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(g).build();
    }

    @Test
    void takesTheBranchStaticShapesDecideAndMatchesOrt() {
        for (long d1 : new long[] {1, 2}) {
            OnnxModel model = squeezeModel();
            Random rnd = new Random(d1);
            float[] x = new float[(int) (4 * d1 * 3)];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            Map<String, Tensor> in = Map.of("x", Tensor.ofFloats("x", new long[] {4, d1, 3}, x));
            Tensor want;
            try (OrtModel ort = OrtModel.open(model)) {
                want = ort.run(in).get("y");
            }
            try (TfModel tf = TfModel.build(model, Map.of("x", new long[] {-1, d1, 3}))) {
                Tensor got = tf.run(in).get("y");
                assertArrayEquals(want.shape(), got.shape(), "d1 = " + d1);
                assertEquals(d1 == 1 ? 2 : 3, got.rank(), "squeezed only when the dimension is 1");
                assertTrue(TfTesting.mismatch(want, got, 1e-5, 1e-6) == null, TfTesting.mismatch(want, got, 1e-5, 1e-6));
            }
        }
    }

    @Test
    void aConditionThatDependsOnDataIsRefusedByName() {
        OnnxModel model = dynamicCondition();
        OnnxHapException e = assertThrows(OnnxHapException.class,
                () -> TfModel.build(model, Map.of("x", new long[] {-1, 2, 3})));
        assertTrue(e.getMessage().contains("squeeze_if") && e.getMessage().contains("static shapes"), e.getMessage());
    }

    /** The same graph whose condition reads the dynamic batch axis (Gather index 0). */
    static OnnxModel dynamicCondition() {
        ModelProto.Builder m = squeezeModel().proto().toBuilder();
        GraphProto.Builder g = m.getGraphBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals("dim")) {
                g.setInitializer(i, TensorCodec.encode(Tensor.ofLongs("dim", new long[0], new long[] {0})));
            }
        }
        return OnnxModel.of(m.build());
    }
}
