package ai.onnxhap.validate;

import static ai.onnxhap.testing.TestModels.integer;
import static ai.onnxhap.testing.TestModels.ints;
import static ai.onnxhap.testing.TestModels.node;
import static ai.onnxhap.testing.TestModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.testing.TestModels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrtShapeInferenceTest {

    private static OrtShapeInference.ValueShape shape(DataType type, long... dims) {
        return new OrtShapeInference.ValueShape(type, dims);
    }

    private static Tensor weights(String name, long... shape) {
        float[] v = new float[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 5) * 0.1f - 0.2f;
        }
        return Tensor.ofFloats(name, shape, v);
    }

    /**
     * x[1,1,5,5] -> Conv 3x3 pad 1 -> c1 -> Conv 3x3 stride 2 pad 1 -> c2 -> Relu -> r -> MaxPool 2x2 stride 1
     * (with indices) -> p, idx -> Flatten -> f -> Gemm -> y[1,3]. Only y is a graph output.
     */
    static OnnxModel convNet(Object batch, Object side) {
        return convNet(batch, side, 4);
    }

    /** @param flat elements per sample after Flatten, which sizes the Gemm weight */
    static OnnxModel convNet(Object batch, Object side, int flat) {
        return TestModels.model(GraphProto.newBuilder()
                .addInput(value("x", DataType.FLOAT, batch, 1, side, side))
                .addOutput(value("y", DataType.FLOAT, batch, 3))
                // A typed value_info for one intermediate value must not get in the way.
                .addValueInfo(value("c1", DataType.FLOAT, batch, 1, side, side))
                .addInitializer(TensorCodec.encode(weights("W1", 1, 1, 3, 3)))
                .addInitializer(TensorCodec.encode(weights("W2", 1, 1, 3, 3)))
                .addInitializer(TensorCodec.encode(weights("W3", flat, 3)))
                .addNode(node("Conv", new String[] {"x", "W1"}, new String[] {"c1"},
                        ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)))
                .addNode(node("Conv", new String[] {"c1", "W2"}, new String[] {"c2"},
                        ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1), ints("strides", 2, 2)))
                .addNode(node("Relu", new String[] {"c2"}, new String[] {"r"}))
                .addNode(node("MaxPool", new String[] {"r"}, new String[] {"p", "idx"},
                        ints("kernel_shape", 2, 2), ints("strides", 1, 1)))
                .addNode(node("Flatten", new String[] {"p"}, new String[] {"f"}, integer("axis", 1)))
                .addNode(node("Gemm", new String[] {"f", "W3"}, new String[] {"y"})));
    }

    @Test
    void convShapesMatchHandComputedOnes() {
        Map<String, OrtShapeInference.ValueShape> shapes = OrtShapeInference.infer(convNet(1L, 5L));
        Map<String, OrtShapeInference.ValueShape> want = new LinkedHashMap<>();
        want.put("x", shape(DataType.FLOAT, 1, 1, 5, 5));
        want.put("y", shape(DataType.FLOAT, 1, 3));
        want.put("c1", shape(DataType.FLOAT, 1, 1, 5, 5)); // (5 + 2 - 3) / 1 + 1
        want.put("c2", shape(DataType.FLOAT, 1, 1, 3, 3)); // (5 + 2 - 3) / 2 + 1
        want.put("r", shape(DataType.FLOAT, 1, 1, 3, 3));
        want.put("p", shape(DataType.FLOAT, 1, 1, 2, 2)); // (3 - 2) / 1 + 1
        want.put("idx", shape(DataType.INT64, 1, 1, 2, 2));
        want.put("f", shape(DataType.FLOAT, 1, 4));
        assertEquals(want, shapes);
        assertEquals(List.copyOf(want.keySet()), List.copyOf(shapes.keySet()), "inputs, outputs, then node order");
    }

    @Test
    void graphOutputShapesEqualWhatOrtProduces() {
        OnnxModel model = convNet("batch", 5L);
        Tensor x = weights("x", 2, 1, 5, 5);
        Map<String, OrtShapeInference.ValueShape> shapes = OrtShapeInference.inferOn(model, Map.of("x", x));
        try (OrtModel ort = OrtModel.open(model)) {
            Tensor y = ort.run(Map.of("x", x)).get("y");
            assertArrayEquals(y.shape(), shapes.get("y").dims());
        }
        assertArrayEquals(new long[] {2, 1, 3, 3}, shapes.get("c2").dims());
    }

    @Test
    void dynamicDimsFollowOverridesAndBatchOne() {
        Map<String, OrtShapeInference.ValueShape> shapes = OrtShapeInference.infer(convNet("batch", "side", 16),
                Map.of("side", 9L));
        assertEquals(shape(DataType.FLOAT, 1, 1, 9, 9), shapes.get("c1"));
        assertEquals(shape(DataType.FLOAT, 1, 1, 5, 5), shapes.get("c2")); // (9 + 2 - 3) / 2 + 1
        assertEquals(shape(DataType.FLOAT, 1, 1, 4, 4), shapes.get("p"));
        assertEquals(shape(DataType.FLOAT, 1, 16), shapes.get("f"));
    }

    @Test
    void everyMeasuredShapeIsTheShapeOfTheValueItself() {
        Path dir = TestModels.onnxTestData().resolve("pytorch-converted/test_PixelShuffle");
        OnnxModel model = ModelIO.load(dir.resolve("model.onnx"));
        DataLoader.TestCase c = DataLoader.loadTestCases(dir).get(0);
        Map<String, Tensor> feed = Map.of("0", c.inputs().values().iterator().next());
        Map<String, OrtShapeInference.ValueShape> shapes = OrtShapeInference.inferOn(model, feed);
        assertEquals(List.of("0", "5", "1", "2", "3", "4"), List.copyOf(shapes.keySet()));
        assertArrayEquals(c.outputs().values().iterator().next().shape(), shapes.get("5").dims());
        OnnxModel probe = model.withProto(OrtShapeInference.everyValueAnOutput(model.proto()));
        try (OrtModel ort = OrtModel.open(probe)) {
            Map<String, Tensor> values = ort.run(feed);
            for (Map.Entry<String, Tensor> e : values.entrySet()) {
                assertEquals(shape(e.getValue().type(), e.getValue().shape()), shapes.get(e.getKey()), e.getKey());
            }
        }
        // Reshape's target shapes are int64 constants, and a pixel shuffle keeps the element count.
        assertEquals(DataType.INT64, shapes.get("1").type());
        assertEquals(Tensor.elementCount(shapes.get("0").dims()), Tensor.elementCount(shapes.get("3").dims()));
    }

    @Test
    void sequenceValuesAreSkipped() {
        Path dir = TestModels.onnxTestData().resolve("simple/test_sequence_model1");
        OnnxModel model = ModelIO.load(dir.resolve("model.onnx"));
        DataLoader.TestCase c = DataLoader.loadTestCases(dir).get(0);
        Map<String, Tensor> feed = new LinkedHashMap<>();
        List<String> names = List.of("X", "Y", "Z"); // pos and pos_at are initializers
        List<Tensor> inputs = List.copyOf(c.inputs().values());
        for (int i = 0; i < names.size(); i++) {
            feed.put(names.get(i), inputs.get(i));
        }
        Map<String, OrtShapeInference.ValueShape> shapes = OrtShapeInference.inferOn(model, feed);
        assertEquals(List.of("X", "Y", "Z", "out"), List.copyOf(shapes.keySet()));
        assertArrayEquals(c.outputs().values().iterator().next().shape(), shapes.get("out").dims());
        assertFalse(shapes.containsKey("Seq_1"));
    }

    @Test
    void valueShapeIsImmutable() {
        long[] dims = {1, 2};
        OrtShapeInference.ValueShape s = shape(DataType.FLOAT, dims);
        dims[0] = 9;
        s.dims()[1] = 9;
        assertArrayEquals(new long[] {1, 2}, s.dims());
        assertEquals("float32[1,2]", s.toString());
    }

    @Test
    void aFailureNestedInIfNodesIsCutToTheInnermostNode() {
        assertEquals("LSTM node 'dec/rnn/LSTM': Input X must have 3 dimensions only. Actual:{1,1,1,128,2}",
                OrtShapeInference.briefly("Non-zero status code returned while running If node. Name:'If_0' Status "
                        + "Message: Non-zero status code returned while running If node. Name:'dec/If_1' Status Message: "
                        + "Non-zero status code returned while running LSTM node. Name:'dec/rnn/LSTM' Status Message: "
                        + "Input X must have 3 dimensions only. Actual:{1,1,1,128,2}"));
        assertEquals("Unexpected input data type", OrtShapeInference.briefly("Unexpected input data type"));
    }
}
