package ai.onnxhap.data;

import ai.onnxhap.testing.TestModels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jetbrains.bio.npy.NpyFile;
import org.jetbrains.bio.npy.NpzFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLoaderTest {
    @TempDir
    Path tmp;

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.25f - 3;
        }
        return v;
    }

    @Test
    void npzRoundTripWithLabels() {
        Path file = tmp.resolve("data.npz");
        try (NpzFile.Writer w = NpzFile.write(file, true)) {
            w.write("input", ramp(4 * 28 * 28), new int[] {4, 1, 28, 28});
            w.write("labels", new long[] {3, 0, 9, 1}, new int[] {4});
        }
        DataSet d = DataLoader.load(file);
        assertEquals(4, d.size());
        assertEquals(List.of("input"), d.names());
        assertEquals(DataType.FLOAT, d.input("input").type());
        assertArrayEquals(new long[] {4, 1, 28, 28}, d.input("input").shape());
        assertArrayEquals(ramp(4 * 28 * 28), d.input("input").floats());
        assertArrayEquals(new long[] {3, 0, 9, 1}, d.labels().orElseThrow().longs());
        DataSet bound = ModelInputs.bind(d, TestModels.imageModel());
        assertArrayEquals(ramp(4 * 28 * 28), bound.input("input").floats());
    }

    @Test
    void arraysTakeScaleMeanAndStdPerChannel() {
        // the README demo's raw uint8 pixels, normalised as the model was trained
        Path demo = TestModels.testdata().resolve("demo").resolve("fmnist_val.npz");
        DataSet raw = DataLoader.load(demo);
        assertEquals(DataType.UINT8, raw.input("arr_0").type());
        DataSet scaled = DataLoader.load(demo, null, Preprocess.parse("scale=1/255,mean=0.2860,std=0.3530"));
        assertEquals(DataType.FLOAT, scaled.input("arr_0").type());
        double[] r = raw.slice(0, 3).input("arr_0").toDoubles();
        float[] f = scaled.slice(0, 3).input("arr_0").floats();
        for (int i = 0; i < r.length; i++) {
            assertEquals((r[i] / 255 - 0.2860) / 0.3530, f[i], 1e-5);
        }
        assertArrayEquals(raw.labels().orElseThrow().longs(), scaled.labels().orElseThrow().longs());

        Path file = tmp.resolve("channels.npz");
        try (NpzFile.Writer w = NpzFile.write(file, true)) {
            w.write("input", new float[] {10, 20, 30, 10, 20, 30}, new int[] {2, 3, 1, 1});
        }
        float[] perChannel = DataLoader.load(file, null, Preprocess.parse("scale=0.5,mean=1/2/3,std=2/2/4"))
                .input("input").floats();
        assertArrayEquals(new float[] {2, 4, 3, 2, 4, 3}, perChannel, 1e-6f);
    }

    @Test
    void npzFloat64Int32AndBoolArrays() {
        Path file = tmp.resolve("mixed.npz");
        try (NpzFile.Writer w = NpzFile.write(file, false)) {
            w.write("a", new double[] {1.5, -2, 1e-8, 4}, new int[] {2, 2});
            w.write("b", new int[] {7, -8}, new int[] {2});
            w.write("c", new boolean[] {true, false}, new int[] {2});
            w.write("labels", new int[] {1, 2}, new int[] {2, 1});
        }
        DataSet d = DataLoader.load(file);
        assertEquals(DataType.DOUBLE, d.input("a").type());
        assertArrayEquals(new double[] {1.5, -2, 1e-8, 4}, d.input("a").doubles());
        assertEquals(DataType.INT32, d.input("b").type());
        assertArrayEquals(new long[] {7, -8}, d.input("b").longs());
        assertEquals(DataType.BOOL, d.input("c").type());
        assertArrayEquals(new long[] {1, 0}, d.input("c").longs());
        assertEquals(DataType.INT64, d.labels().orElseThrow().type());
        assertArrayEquals(new long[] {1, 2}, d.labels().orElseThrow().longs(), "[N,1] labels are flattened");
    }

    @Test
    void npyWithSeparateLabels() {
        Path x = tmp.resolve("x.npy");
        Path y = tmp.resolve("y.npy");
        NpyFile.write(x, ramp(3 * 784), new int[] {3, 1, 28, 28});
        NpyFile.write(y, new long[] {5, 6, 7}, new int[] {3});
        DataSet d = DataLoader.load(x, y);
        assertEquals(List.of("arr_0"), d.names());
        assertArrayEquals(new long[] {5, 6, 7}, d.labels().orElseThrow().longs());
        DataSet bound = ModelInputs.bind(d, TestModels.imageModel());
        assertEquals(List.of("input"), bound.names());
        assertArrayEquals(ramp(3 * 784), bound.input("input").floats());
    }

    /** An .npy written byte by byte as NumPy does, for types the npy library cannot write. */
    private static byte[] npy(String descr, String shape, boolean fortran, int version, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': ("
                + shape + "), }";
        int prefix = version == 1 ? 10 : 12;
        int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) version).put((byte) 0);
        if (version == 1) {
            b.putShort((short) header.length());
        } else {
            b.putInt(header.length());
        }
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    @Test
    void uint8IsReadUnsigned() throws IOException {
        Path file = tmp.resolve("img.npy");
        Files.write(file, npy("|u1", "2, 3", false, 1, new byte[] {0, 1, (byte) 127, (byte) 128, (byte) 200, (byte) 255}));
        Tensor t = DataLoader.load(file).input("arr_0");
        assertEquals(DataType.UINT8, t.type());
        assertArrayEquals(new long[] {2, 3}, t.shape());
        assertArrayEquals(new long[] {0, 1, 127, 128, 200, 255}, t.longs());
    }

    @Test
    void bigEndianAndVersion2Headers() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-2f);
        Path file = tmp.resolve("be.npy");
        Files.write(file, npy(">f4", "2,", false, 2, data.array()));
        assertArrayEquals(new float[] {1.5f, -2f}, DataLoader.load(file).input("arr_0").floats());
    }

    @Test
    void badNpyFilesFailWithOneLine() throws IOException {
        Path fortran = tmp.resolve("f.npy");
        Files.write(fortran, npy("<f4", "2, 2", true, 1, new byte[16]));
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> DataLoader.load(fortran));
        assertEquals(ErrorCode.USAGE, e.code());
        assertEquals(fortran + " is stored in Fortran order; save it with np.ascontiguousarray(...)", e.getMessage());

        Path complex = tmp.resolve("c.npy");
        Files.write(complex, npy("<c8", "1,", false, 1, new byte[8]));
        assertTrue(assertThrows(OnnxHapException.class, () -> DataLoader.load(complex)).getMessage()
                .contains("unsupported array type 'c8'"));

        Path truncated = tmp.resolve("t.npy");
        Files.write(truncated, npy("<f4", "4,", false, 1, new byte[8]));
        assertEquals(truncated + " is not a valid .npy array (truncated data: 8 of 16 bytes)",
                assertThrows(OnnxHapException.class, () -> DataLoader.load(truncated)).getMessage());

        Path junk = tmp.resolve("junk.npz");
        Files.writeString(junk, "not a zip");
        assertEquals(ErrorCode.USAGE, assertThrows(OnnxHapException.class, () -> DataLoader.load(junk)).code());

        assertEquals(ErrorCode.IO, assertThrows(OnnxHapException.class,
                () -> DataLoader.load(tmp.resolve("missing.npz"))).code());
        Path txt = tmp.resolve("data.csv");
        Files.writeString(txt, "1,2");
        assertEquals(ErrorCode.USAGE, assertThrows(OnnxHapException.class, () -> DataLoader.load(txt)).code());
    }

    @Test
    void floatLabelsAreRefused() {
        Path file = tmp.resolve("fl.npz");
        try (NpzFile.Writer w = NpzFile.write(file, false)) {
            w.write("x", new float[] {1, 2}, new int[] {2, 1});
            w.write("labels", new float[] {0, 1}, new int[] {2});
        }
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> DataLoader.load(file));
        assertEquals("labels in " + file + ":labels must be integers, got float32 (convert them with "
                + ".astype(np.int64))", e.getMessage());
    }

    @Test
    void onnxTestDataFolderMatchesTensorCodec() throws IOException {
        Path dir = TestModels.onnxTestData().resolve("node/test_conv_with_strides_padding");
        List<DataLoader.TestCase> cases = DataLoader.loadTestCases(dir);
        assertEquals(1, cases.size());
        DataLoader.TestCase c = cases.get(0);
        assertEquals(2, c.inputs().size());
        assertEquals(1, c.outputs().size());
        Path set = dir.resolve("test_data_set_0");
        List<Tensor> want = List.of(decode(set.resolve("input_0.pb")), decode(set.resolve("input_1.pb")));
        List<Tensor> got = List.copyOf(c.inputs().values());
        for (int i = 0; i < 2; i++) {
            assertEquals(want.get(i).name(), got.get(i).name());
            assertArrayEquals(want.get(i).shape(), got.get(i).shape());
            assertArrayEquals(want.get(i).floats(), got.get(i).floats());
        }
        assertArrayEquals(decode(set.resolve("output_0.pb")).floats(), c.outputs().values().iterator().next().floats());
        // The same set as a data set: one sample, expected output kept.
        DataSet d = DataLoader.load(dir);
        assertEquals(1, d.size());
        assertEquals(List.of("x", "W"), d.names());
        assertEquals(1, d.expectedOutputs().size());
    }

    private static Tensor decode(Path pb) throws IOException {
        return TensorCodec.decode(TensorProto.parseFrom(Files.readAllBytes(pb)));
    }

    private void writeSet(Path dir, Tensor... tensors) throws IOException {
        Files.createDirectories(dir);
        int in = 0;
        int out = 0;
        for (Tensor t : tensors) {
            boolean output = t.name().startsWith("out");
            String file = output ? "output_" + out++ + ".pb" : "input_" + in++ + ".pb";
            Files.write(dir.resolve(file), TensorCodec.encode(t).toByteArray());
        }
    }

    @Test
    void multipleSetsAreConcatenatedAlongAxisZero() throws IOException {
        writeSet(tmp.resolve("test_data_set_0"), Tensor.ofFloats("x", new long[] {1, 2}, new float[] {1, 2}),
                Tensor.ofFloats("out", new long[] {1, 1}, new float[] {3}));
        writeSet(tmp.resolve("test_data_set_1"), Tensor.ofFloats("x", new long[] {2, 2}, new float[] {4, 5, 6, 7}),
                Tensor.ofFloats("out", new long[] {2, 1}, new float[] {9, 13}));
        // Numeric order, not text order: set 10 comes last.
        writeSet(tmp.resolve("test_data_set_10"), Tensor.ofFloats("x", new long[] {1, 2}, new float[] {8, 9}),
                Tensor.ofFloats("out", new long[] {1, 1}, new float[] {17}));
        DataSet d = DataLoader.load(tmp);
        assertEquals(4, d.size());
        assertArrayEquals(new float[] {1, 2, 4, 5, 6, 7, 8, 9}, d.input("x").floats());
        assertArrayEquals(new float[] {3, 9, 13, 17}, d.expectedOutputs().get("out").floats());
    }

    @Test
    void setsThatDoNotStackFailClearly() throws IOException {
        writeSet(tmp.resolve("test_data_set_0"), Tensor.ofFloats("x", new long[] {1, 2}, new float[2]));
        writeSet(tmp.resolve("test_data_set_1"), Tensor.ofFloats("x", new long[] {1, 3}, new float[3]));
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> DataLoader.load(tmp));
        assertEquals(ErrorCode.USAGE, e.code());
        assertEquals("cannot concatenate array 'x': cannot concatenate FLOAT [1, 3] to FLOAT [1, 2]", e.getMessage());
        assertEquals(2, DataLoader.loadTestCases(tmp).size(), "the sets still load one by one");
    }

    @Test
    void folderHoldingInputsDirectlyAndUnnamedTensors() throws IOException {
        writeSet(tmp, Tensor.ofLongs("", new long[] {3}, new long[] {1, 2, 3}));
        DataSet d = DataLoader.load(tmp);
        assertEquals(List.of("input_0"), d.names());
        assertFalse(d.labels().isPresent());
        assertTrue(d.expectedOutputs().isEmpty());
        Files.write(tmp.resolve("input_2.pb"), new byte[] {1});
        assertEquals(tmp + " has input_2.pb but no input_1.pb",
                assertThrows(OnnxHapException.class, () -> DataLoader.load(tmp)).getMessage());
    }

    @Test
    void garbagePbIsAUsageError() throws IOException {
        Files.write(tmp.resolve("input_0.pb"), new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
        assertEquals(ErrorCode.USAGE, assertThrows(OnnxHapException.class, () -> DataLoader.load(tmp)).code());
    }

    @Test
    void emptyFolderIsAUsageError() {
        assertEquals(tmp + " holds neither input_N.pb files nor test_data_set_N folders",
                assertThrows(OnnxHapException.class, () -> DataLoader.load(tmp)).getMessage());
    }
}
