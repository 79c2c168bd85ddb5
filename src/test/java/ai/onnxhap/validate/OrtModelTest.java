package ai.onnxhap.validate;

import static ai.onnxhap.testing.TestModels.node;
import static ai.onnxhap.testing.TestModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.GraphProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OrtModelTest {
    /** W = [[1, 2], [3, 4], [5, 6]], b = [0.5, -1]. */
    static final float[] W = {1, 2, 3, 4, 5, 6};
    static final float[] B = {0.5f, -1};

    static OnnxModel gemm() {
        return TestModels.gemm(3, 2, W, B);
    }

    /** x[i] = [i, 1 - i, 0.5 i] for i in 0..n-1. */
    static Tensor x(int n) {
        float[] v = new float[3 * n];
        for (int i = 0; i < n; i++) {
            v[3 * i] = i;
            v[3 * i + 1] = 1 - i;
            v[3 * i + 2] = 0.5f * i;
        }
        return Tensor.ofFloats("x", new long[] {n, 3}, v);
    }

    /** x W + b computed by hand. */
    static float[] expected(Tensor x, float[] w, float[] b) {
        int n = (int) x.dim(0);
        float[] y = new float[2 * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 2; j++) {
                double s = b[j];
                for (int k = 0; k < 3; k++) {
                    s += x.floats()[3 * i + k] * w[2 * k + j];
                }
                y[2 * i + j] = (float) s;
            }
        }
        return y;
    }

    @Test
    void runMatchesHandComputedGemm() {
        try (OrtModel ort = OrtModel.open(gemm())) {
            assertEquals(List.of("x"), ort.inputNames());
            assertEquals(List.of("y"), ort.outputNames());
            assertEquals(OrtModel.Device.CPU, ort.device());
            Tensor y = ort.run(Map.of("x", x(4))).get("y");
            assertArrayEquals(new long[] {4, 2}, y.shape());
            assertArrayEquals(expected(x(4), W, B), y.floats(), 1e-5f);
        }
    }

    @Test
    void batchedRunConcatenatesInOrder() {
        DataSet data = DataSet.of(Map.of("arr_0", x(10)));
        try (OrtModel ort = OrtModel.open(gemm())) {
            Tensor whole = ort.run(Map.of("x", x(10))).get("y");
            for (int batch : new int[] {1, 3, 10, 64}) {
                Tensor y = ort.run(data, batch).get("y");
                assertArrayEquals(new long[] {10, 2}, y.shape());
                assertArrayEquals(whole.floats(), y.floats(), 1e-6f, "batch " + batch);
            }
        }
    }

    @Test
    void staticBatchModelIsFedPaddedBatches() {
        OnnxModel fixed = TestModels.model(GraphProto.newBuilder()
                .addInput(value("x", DataType.FLOAT, 4, 3))
                .addOutput(value("y", DataType.FLOAT, 4, 3))
                .addNode(node("Neg", new String[] {"x"}, new String[] {"y"})));
        try (OrtModel ort = OrtModel.open(fixed)) {
            Tensor y = ort.run(DataSet.of(Map.of("x", x(6))), 100).get("y");
            assertArrayEquals(new long[] {6, 3}, y.shape());
            float[] want = x(6).floats().clone();
            for (int i = 0; i < want.length; i++) {
                want[i] = -want[i];
            }
            assertArrayEquals(want, y.floats());
        }
    }

    @Test
    void closeTwiceIsHarmlessAndUseAfterCloseFails() {
        OrtModel ort = OrtModel.open(gemm());
        ort.close();
        ort.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ort.run(Map.of("x", x(1))));
        assertEquals("the ONNX Runtime session for test is closed", e.getMessage());
    }

    @Test
    void wrongShapeAtRunIsUsage() {
        try (OrtModel ort = OrtModel.open(gemm())) {
            OnnxHapException e = assertThrows(OnnxHapException.class,
                    () -> ort.run(Map.of("x", Tensor.ofFloats("x", new long[] {2, 4}, new float[8]))));
            assertEquals(ErrorCode.USAGE, e.code());
            assertTrue(e.getMessage().startsWith("ONNX Runtime failed running test: "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertEquals(ErrorCode.USAGE, assertThrows(OnnxHapException.class,
                    () -> ort.run(Map.of("z", x(1)))).code());
            assertEquals("no value given for input 'x' of test",
                    assertThrows(OnnxHapException.class, () -> ort.run(Map.of())).getMessage());
        }
    }

    @Test
    void unloadableModelIsModelNotSupported() {
        // Gemm-6 is valid ONNX that this ONNX Runtime no longer implements.
        Path linear = TestModels.onnxTestData().resolve("pytorch-converted/test_Linear/model.onnx");
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> OrtModel.open(ModelIO.load(linear)));
        assertEquals(ErrorCode.MODEL_NOT_SUPPORTED, e.code());
        assertEquals("ONNX Runtime cannot load model.onnx: Could not find an implementation for Gemm(6) node with "
                + "name ''", e.getMessage());
        OnnxModel unknownOp = TestModels.model(GraphProto.newBuilder()
                .addInput(value("x", DataType.FLOAT, 1))
                .addOutput(value("y", DataType.FLOAT, 1))
                .addNode(node("NoSuchOp", new String[] {"x"}, new String[] {"y"})));
        assertEquals(ErrorCode.MODEL_NOT_SUPPORTED, assertThrows(OnnxHapException.class,
                () -> OrtModel.open(unknownOp)).code());
    }

    @Test
    void devices() {
        assertEquals(OrtModel.Device.CUDA, OrtModel.Device.parse("GPU"));
        assertEquals(OrtModel.Device.AUTO, OrtModel.Device.parse("auto"));
        assertEquals(ErrorCode.USAGE, assertThrows(OnnxHapException.class, () -> OrtModel.Device.parse("tpu")).code());
        OrtModel.Options auto = OrtModel.Options.defaults().withDevice(OrtModel.Device.AUTO);
        try (OrtModel ort = OrtModel.open(gemm(), auto)) {
            assertEquals(OrtModel.cudaAvailable() ? OrtModel.Device.CUDA : OrtModel.Device.CPU, ort.device());
        }
        if (!OrtModel.cudaAvailable()) {
            OnnxHapException e = assertThrows(OnnxHapException.class, () -> OrtModel.open(gemm(),
                    OrtModel.Options.defaults().withDevice(OrtModel.Device.CUDA)));
            assertEquals(ErrorCode.USAGE, e.code());
            assertTrue(e.getMessage().startsWith("device 'cuda' needs the GPU build of ONNX Runtime"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> OrtModel.Options.defaults().withThreads(0));
    }

    @Test
    void largeModelsGoThroughATemporaryFileThatIsRemoved() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = countTempDirs(tmp);
        try (OrtModel ort = OrtModel.open(gemm(), OrtModel.Options.defaults(), 0)) {
            assertEquals(before + 1, countTempDirs(tmp));
            assertArrayEquals(expected(x(3), W, B), ort.run(Map.of("x", x(3))).get("y").floats(), 1e-5f);
        }
        assertEquals(before, countTempDirs(tmp));
    }

    private static long countTempDirs(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("onnx-hap-ort")).count();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE", "INT64", "INT32", "INT16", "INT8", "UINT8",
        "BOOL", "FLOAT16", "BFLOAT16", "STRING"})
    void everyFeedableTypeRoundTripsThroughIdentity(DataType type) {
        OnnxModel identity = TestModels.model(GraphProto.newBuilder()
                .addInput(value("x", type, "n", 2))
                .addOutput(value("y", type, "n", 2))
                .addNode(node("Identity", new String[] {"x"}, new String[] {"y"})));
        long[] shape = {3, 2};
        Tensor in = switch (type.storage()) {
            case FLOAT -> Tensor.ofFloats("x", type, shape, new float[] {0, -1.5f, 2.25f, 1024, -0.125f, 3});
            case DOUBLE -> Tensor.ofDoubles("x", type, shape, new double[] {0, -1.5, Math.PI, 1e300, -1e-300, 3});
            case LONG -> Tensor.ofLongs("x", type, shape, type == DataType.BOOL ? new long[] {1, 0, 0, 1, 1, 1}
                    : type == DataType.UINT8 ? new long[] {0, 1, 127, 128, 200, 255}
                    : new long[] {0, -1, 100, -128, 127, 5});
            case STRING -> Tensor.ofStrings("x", shape, Stream.of("a", "", "héllo", "x", "yz", "0")
                    .map(s -> s.getBytes(StandardCharsets.UTF_8)).toList());
        };
        try (OrtModel ort = OrtModel.open(identity)) {
            Tensor out = ort.run(Map.of("x", in)).get("y");
            assertEquals(type, out.type());
            assertArrayEquals(shape, out.shape());
            switch (type.storage()) {
                case FLOAT -> assertArrayEquals(in.floats(), out.floats());
                case DOUBLE -> assertArrayEquals(in.doubles(), out.doubles());
                case LONG -> assertArrayEquals(in.longs(), out.longs());
                case STRING -> assertArrayEquals(in.strings().toArray(), out.strings().toArray());
            }
        }
    }
}
