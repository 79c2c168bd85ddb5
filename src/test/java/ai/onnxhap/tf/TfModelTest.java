package ai.onnxhap.tf;

import static ai.onnxhap.testing.TestModels.floatInfo;
import static ai.onnxhap.testing.TestModels.randomFloats;
import static ai.onnxhap.testing.TestModels.wrap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.ops.TfOps;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class TfModelTest {
    @Test
    void everyUnsupportedOpIsNamedOnceInOneMessage() {
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInput(floatInfo("x", 1, 4)).addOutput(floatInfo("e"))
                .addNode(node("Frobnicate", "x", "a"))
                .addNode(node("Frobnicate", "a", "b"))
                .addNode(node("Relu", "b", "c"))
                .addNode(node("Unique", "c", "d").toBuilder().setDomain(""))
                .addNode(node("FusedGemm", "d", "e").toBuilder().setDomain("com.microsoft"))
                .build();
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> TfModel.build(OnnxModel.of(wrap(g, 13))));
        assertEquals(ErrorCode.MODEL_NOT_SUPPORTED, e.code());
        String msg = e.getMessage();
        assertFalse(msg.contains("\n"), msg);
        assertTrue(msg.contains("these 3 ops at opset 13: Frobnicate, Unique, com.microsoft.FusedGemm"), msg);
        assertEquals(msg.indexOf("Frobnicate"), msg.lastIndexOf("Frobnicate"), msg);
        assertFalse(msg.contains("Relu"), msg);
    }

    @Test
    void closingTwiceIsHarmlessAndUseAfterCloseFails() {
        TfModel tf = TfModel.build(TestModels.mlp(2, 4, 3, 2, 1));
        tf.close();
        tf.close();
        assertTrue(tf.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> tf.run(Map.of("x", randomFloats("x", new Random(1), 2, 4))));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, tf::parameterValues);
        assertThrows(IllegalStateException.class, tf::graph);
    }

    @Test
    void weightsAreTrainableStatisticsFrozenAndValuesRoundTrip() {
        OnnxModel model = convBatchNorm();
        try (TfModel tf = TfModel.build(model)) {
            assertEquals(List.of("W", "B", "scale", "bias"), tf.trainableParameters());
            assertEquals(List.of("mean", "var"), tf.frozenParameters());
            assertEquals(tf.trainableParameters(), List.copyOf(tf.trainableVariables().keySet()));
            Map<String, Tensor> values = tf.parameterValues();
            ai.onnxhap.graph.Graph onnx = ai.onnxhap.graph.Graph.of(model);
            for (String name : List.of("W", "B", "scale", "bias", "mean", "var")) {
                assertArrayEquals(onnx.initializer(name).floats(), values.get(name).floats(), 0f, name);
                assertArrayEquals(onnx.initializer(name).shape(), values.get(name).shape(), name);
            }
            Tensor zeros = Tensor.ofFloats("W", onnx.initializer("W").shape(),
                    new float[(int) onnx.initializer("W").size()]);
            tf.assign("W", zeros);
            assertArrayEquals(zeros.floats(), tf.parameterValues().get("W").floats(), 0f);
            assertThrows(IllegalArgumentException.class,
                    () -> tf.assign("W", Tensor.ofFloats("W", new long[] {1}, new float[1])));
            assertThrows(IllegalArgumentException.class, () -> tf.assign("nope", zeros));
        }
    }

    @Test
    void aDynamicBatchServesAnyBatchAStaticOneOnlyItsOwn() {
        OnnxModel model = TestModels.mlp(2, 4, 3, 2, 1);
        Random rnd = new Random(3);
        try (TfModel dynamic = TfModel.build(model, Map.of("x", new long[] {-1, 4}))) {
            assertArrayEquals(new long[] {5, 2},
                    dynamic.run(Map.of("x", randomFloats("x", rnd, 5, 4))).get("y").shape());
            assertArrayEquals(new long[] {1, 2},
                    dynamic.run(Map.of("x", randomFloats("x", rnd, 1, 4))).get("y").shape());
        }
        try (TfModel fixed = TfModel.build(model, Map.of("x", new long[] {2, 4}))) {
            OnnxHapException e = assertThrows(OnnxHapException.class,
                    () -> fixed.run(Map.of("x", randomFloats("x", rnd, 5, 4))));
            assertEquals(ErrorCode.USAGE, e.code());
        }
        OnnxHapException e = assertThrows(OnnxHapException.class,
                () -> TfModel.build(model, Map.of("x", new long[] {2, 5})));
        assertEquals(ErrorCode.USAGE, e.code());
    }

    @Test
    void tfNamesTraceBackToOnnxNodes() {
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInput(floatInfo("x", 1, 4)).addOutput(floatInfo("y"))
                .addNode(node("Relu", "x", "a").toBuilder().setName("/encoder/layer.0/act/Relu"))
                .addNode(node("Sigmoid", "a", "y").toBuilder().setName(""))
                .build();
        try (TfModel tf = TfModel.build(OnnxModel.of(wrap(g, 13)))) {
            List<String> names = new ArrayList<>();
            for (Iterator<GraphOperation> it = tf.graph().operations(); it.hasNext(); ) {
                names.add(it.next().name());
            }
            assertTrue(names.contains("encoder_layer.0_act_Relu/Relu"), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("Sigmoid_1/")), names.toString());
            assertTrue(tf.output("y").op().name().startsWith("Sigmoid_1/"));
        }
    }

    /** d(Σ y·R)/dW from TF's gradients equals the finite difference through assign (the loss is linear in W). */
    @Test
    void gradientsThroughTheLayoutTransposesMatchFiniteDifferences() {
        OnnxModel model = TestModels.conv(2, 4, 6, 3, 2, 1, 2, 7, 7, 5);
        Map<String, Tensor> in = Map.of("x", randomFloats("x", new Random(9), 2, 4, 7, 7));
        try (TfModel tf = TfModel.build(model)) {
            Ops ops = tf.ops();
            Operand<TFloat32> y = ops.reshape(TfOps.<TFloat32>any(tf.output("y")), ops.constant(new long[] {-1}));
            Operand<TFloat32> r = ops.math.cos(ops.dtypes.cast(ops.range(ops.constant(0), ops.size(y), ops.constant(1)),
                    TFloat32.class));
            Operand<TFloat32> loss = ops.reduceSum(ops.math.mul(y, r), ops.constant(0));
            Output<?>[] grad = tf.graph().addGradients(loss.asOutput(), new Output<?>[] {tf.parameter("W").asOutput()});
            float[] g = tf.fetch(in, List.of(grad[0])).get(0).floats();
            Tensor w = tf.parameterValues().get("W");
            for (int i : new int[] {0, 17, 53, 107}) {
                float[] plus = w.floats().clone();
                plus[i] += 0.5f;
                tf.assign("W", Tensor.ofFloats("W", w.shape(), plus));
                double up = tf.fetch(in, List.of(loss)).get(0).floats()[0];
                tf.assign("W", w);
                double base = tf.fetch(in, List.of(loss)).get(0).floats()[0];
                assertEquals(g[i], (up - base) / 0.5, 1e-3 * Math.max(1, Math.abs(g[i])), "dL/dW[" + i + "]");
            }
        }
    }

    private static NodeProto node(String op, String in, String out) {
        return NodeProto.newBuilder().setOpType(op).addInput(in).addOutput(out).build();
    }

    /** x → Conv(W, B) → BatchNormalization(scale, bias, mean, var) → y. */
    private static OnnxModel convBatchNorm() {
        Random rnd = new Random(4);
        float[] var = new float[] {0.5f, 1f, 2f};
        GraphProto g = GraphProto.newBuilder().setName("cbn")
                .addInput(floatInfo("x", -1, 2, 5, 5)).addOutput(floatInfo("y"))
                .addInitializer(TensorCodec.encode(randomFloats("W", rnd, 3, 2, 3, 3)))
                .addInitializer(TensorCodec.encode(randomFloats("B", rnd, 3)))
                .addInitializer(TensorCodec.encode(randomFloats("scale", rnd, 3)))
                .addInitializer(TensorCodec.encode(randomFloats("bias", rnd, 3)))
                .addInitializer(TensorCodec.encode(randomFloats("mean", rnd, 3)))
                .addInitializer(TensorCodec.encode(Tensor.ofFloats("var", new long[] {3}, var)))
                .addNode(NodeProto.newBuilder().setName("conv").setOpType("Conv").addInput("x").addInput("W")
                        .addInput("B").addOutput("c"))
                .addNode(NodeProto.newBuilder().setName("bn").setOpType("BatchNormalization").addInput("c")
                        .addInput("scale").addInput("bias").addInput("mean").addInput("var").addOutput("y"))
                .build();
        return OnnxModel.of(wrap(g, 13));
    }
}
