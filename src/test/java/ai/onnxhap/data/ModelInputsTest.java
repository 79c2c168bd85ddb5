package ai.onnxhap.data;

import ai.onnxhap.testing.TestModels;
import static ai.onnxhap.testing.TestModels.node;
import static ai.onnxhap.testing.TestModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelInputsTest {

    private static Tensor floats(String name, long... shape) {
        return Tensor.ofFloats(name, shape, new float[(int) Tensor.elementCount(shape)]);
    }

    /** Two inputs (float image, int64 ids) plus an initializer that is also listed as a graph input. */
    private static OnnxModel twoInputs() {
        return TestModels.model(GraphProto.newBuilder()
                .addInput(value("image", DataType.FLOAT, "batch", 3))
                .addInput(value("ids", DataType.INT64, "batch"))
                .addInput(value("scale", DataType.FLOAT, 3))
                .addInitializer(TensorCodec.encode(Tensor.ofFloats("scale", new long[] {3}, new float[3])))
                .addOutput(value("y", DataType.FLOAT, "batch", 3))
                .addNode(node("Mul", new String[] {"image", "scale"}, new String[] {"y"})));
    }

    private static String usage(DataSet data, OnnxModel model) {
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> ModelInputs.bind(data, model));
        assertEquals(ErrorCode.USAGE, e.code());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
        return e.getMessage();
    }

    @Test
    void specsListRealInputsOnlyWithDeclaredDims() {
        List<InputSpec> specs = ModelInputs.specs(twoInputs());
        assertEquals(List.of("image", "ids"), specs.stream().map(InputSpec::name).toList());
        assertEquals("[batch,3]", specs.get(0).shapeString());
        assertEquals(DataType.INT64, specs.get(1).type());
        assertEquals("[batch,1,28,28]", ModelInputs.specs(TestModels.imageModel()).get(0).shapeString());
    }

    @Test
    void rankMismatchIsOneExactLine() {
        DataSet data = DataSet.of(Map.of("input", floats("input", 256, 28, 28)));
        assertEquals("input 'input' expects shape [batch,1,28,28], data has [256,28,28]",
                usage(data, TestModels.imageModel()));
    }

    @Test
    void staticDimMismatch() {
        DataSet data = DataSet.of(Map.of("input", floats("input", 4, 3, 28, 28)));
        assertEquals("input 'input' expects shape [batch,1,28,28], data has [4,3,28,28]",
                usage(data, TestModels.imageModel()));
    }

    @Test
    void symbolicDimsAcceptAnySize() {
        OnnxModel m = TestModels.model(GraphProto.newBuilder()
                .addInput(value("x", DataType.FLOAT, "batch", "seq"))
                .addOutput(value("y", DataType.FLOAT, "batch", "seq"))
                .addNode(node("Relu", new String[] {"x"}, new String[] {"y"})));
        assertEquals(7, ModelInputs.bind(DataSet.of(Map.of("x", floats("x", 2, 7))), m).input("x").dim(1));
    }

    @Test
    void staticBatchAxisIsNotChecked() {
        OnnxModel m = TestModels.model(GraphProto.newBuilder()
                .addInput(value("x", DataType.FLOAT, 1, 4))
                .addOutput(value("y", DataType.FLOAT, 1, 4))
                .addNode(node("Relu", new String[] {"x"}, new String[] {"y"})));
        assertEquals(10, ModelInputs.bind(DataSet.of(Map.of("x", floats("x", 10, 4))), m).size());
    }

    @Test
    void nanAndInfAreNamedWithTheSample() {
        float[] v = new float[2 * 3];
        v[4] = Float.NaN;
        DataSet nan = DataSet.of(Map.of("image", Tensor.ofFloats("image", new long[] {2, 3}, v),
                "ids", Tensor.ofLongs("ids", new long[] {2}, new long[2])));
        assertEquals("input 'image' has NaN in sample 1 (index 4)", usage(nan, twoInputs()));
        v[4] = 0;
        v[0] = Float.NEGATIVE_INFINITY;
        DataSet inf = DataSet.of(Map.of("image", Tensor.ofFloats("image", new long[] {2, 3}, v),
                "ids", Tensor.ofLongs("ids", new long[] {2}, new long[2])));
        assertEquals("input 'image' has Inf in sample 0 (index 0)", usage(inf, twoInputs()));
    }

    @Test
    void dtypeMismatchNamesBothTypes() {
        DataSet data = DataSet.of(Map.of("image", Tensor.ofLongs("image", DataType.UINT8, new long[] {2, 3},
                new long[6]), "ids", Tensor.ofLongs("ids", new long[] {2}, new long[2])));
        assertEquals("input 'image' expects float32, data is uint8", usage(data, twoInputs()));
        DataSet floatIds = DataSet.of(Map.of("image", floats("image", 2, 3), "ids", floats("ids", 2)));
        assertEquals("input 'ids' expects int64, data is float32", usage(floatIds, twoInputs()));
    }

    @Test
    void float64IsConvertedToFloat32AndInt32Widened() {
        DataSet data = DataSet.of(Map.of(
                "image", Tensor.ofDoubles("image", DataType.DOUBLE, new long[] {1, 3}, new double[] {0.1, -2.5, 1e-3}),
                "ids", Tensor.ofLongs("ids", DataType.INT32, new long[] {1}, new long[] {7})));
        DataSet bound = ModelInputs.bind(data, twoInputs());
        assertEquals(List.of("image", "ids"), bound.names());
        assertEquals(DataType.FLOAT, bound.input("image").type());
        assertArrayEquals(new float[] {0.1f, -2.5f, 1e-3f}, bound.input("image").floats());
        assertEquals(DataType.INT64, bound.input("ids").type());
        assertArrayEquals(new long[] {7}, bound.input("ids").longs());
    }

    @Test
    void narrowingIntegersMustFit() {
        OnnxModel m = TestModels.model(GraphProto.newBuilder()
                .addInput(value("x", DataType.INT32, "n"))
                .addOutput(value("y", DataType.INT32, "n"))
                .addNode(node("Identity", new String[] {"x"}, new String[] {"y"})));
        DataSet ok = DataSet.of(Map.of("x", Tensor.ofLongs("x", new long[] {2}, new long[] {1, -5})));
        assertEquals(DataType.INT32, ModelInputs.bind(ok, m).input("x").type());
        DataSet big = DataSet.of(Map.of("x", Tensor.ofLongs("x", new long[] {2}, new long[] {1, 1L << 40})));
        assertEquals("input 'x' expects int32, data value 1099511627776 at index 1 does not fit", usage(big, m));
    }

    @Test
    void positionalArraysFillInputsInOrder() {
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put("arr_1", Tensor.ofLongs("arr_1", new long[] {2}, new long[] {3, 4}));
        arrays.put("arr_0", floats("arr_0", 2, 3));
        DataSet bound = ModelInputs.bind(DataSet.of(arrays), twoInputs());
        assertEquals(List.of("image", "ids"), bound.names());
        assertArrayEquals(new long[] {3, 4}, bound.input("ids").longs());
        // A named array takes its input; the positional one fills the rest.
        Map<String, Tensor> mixed = new LinkedHashMap<>();
        mixed.put("ids", Tensor.ofLongs("ids", new long[] {2}, new long[] {5, 6}));
        mixed.put("input_0", floats("input_0", 2, 3));
        assertArrayEquals(new long[] {2, 3}, ModelInputs.bind(DataSet.of(mixed), twoInputs()).input("image").shape());
    }

    @Test
    void unknownAndMissingArrays() {
        DataSet typo = DataSet.of(Map.of("imgae", floats("imgae", 2, 3)));
        assertEquals("data array 'imgae' matches no model input; model inputs are [image, ids]",
                usage(typo, twoInputs()));
        DataSet missing = DataSet.of(Map.of("image", floats("image", 2, 3)));
        assertEquals("model input 'ids' has no data; data has arrays [image]", usage(missing, twoInputs()));
    }

    @Test
    void labelsSurviveBinding() {
        DataSet data = DataSet.of(Map.of("input", floats("input", 2, 1, 28, 28)))
                .withLabels(Tensor.ofLongs("y", new long[] {2}, new long[] {3, 9}));
        assertArrayEquals(new long[] {3, 9}, ModelInputs.bind(data, TestModels.imageModel()).labels().orElseThrow()
                .longs());
    }
}
