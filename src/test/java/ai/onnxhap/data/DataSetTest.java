package ai.onnxhap.data;

import ai.onnxhap.testing.TestModels;
import static ai.onnxhap.testing.TestModels.node;
import static ai.onnxhap.testing.TestModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.GraphProto;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataSetTest {

    /** x[i] = [10i, 10i+1], ids[i] = i, labels[i] = i % 3. */
    private static DataSet sample(int n) {
        float[] x = new float[2 * n];
        long[] ids = new long[n];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = 10 * i;
            x[2 * i + 1] = 10 * i + 1;
            ids[i] = i;
            labels[i] = i % 3;
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("x", Tensor.ofFloats("x", new long[] {n, 2}, x));
        in.put("ids", Tensor.ofLongs("ids", new long[] {n}, ids));
        return new DataSet(in, Tensor.ofLongs("labels", new long[] {n}, labels));
    }

    @Test
    void sliceKeepsRowsAndLabels() {
        DataSet s = sample(5).slice(1, 3);
        assertEquals(2, s.size());
        assertArrayEquals(new float[] {10, 11, 20, 21}, s.input("x").floats());
        assertArrayEquals(new long[] {2, 2}, s.input("x").shape());
        assertArrayEquals(new long[] {1, 2}, s.input("ids").longs());
        assertArrayEquals(new long[] {1, 2}, s.labels().orElseThrow().longs());
    }

    @Test
    void batchesCoverEverySampleInOrder() {
        List<DataSet> batches = sample(7).batches(3);
        assertEquals(3, batches.size());
        assertEquals(List.of(3, 3, 1), batches.stream().map(DataSet::size).toList());
        long[] ids = batches.stream().flatMapToLong(b -> Arrays.stream(b.input("ids").longs())).toArray();
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6}, ids);
        assertEquals(sample(7).fingerprint(), DataSet.concat(batches).fingerprint());
    }

    @Test
    void shuffleIsASeededPermutationAppliedToEveryArray() {
        DataSet s = sample(50).shuffled(42);
        long[] ids = s.input("ids").longs();
        float[] x = s.input("x").floats();
        long[] labels = s.labels().orElseThrow().longs();
        for (int i = 0; i < ids.length; i++) {
            assertEquals(10 * ids[i], x[2 * i]);
            assertEquals(ids[i] % 3, labels[i]);
        }
        assertArrayEquals(ids, sample(50).shuffled(42).input("ids").longs());
        assertNotEquals(Arrays.toString(ids), Arrays.toString(sample(50).shuffled(43).input("ids").longs()));
        long[] sorted = ids.clone();
        Arrays.sort(sorted);
        assertArrayEquals(sample(50).input("ids").longs(), sorted);
    }

    @Test
    void fingerprintIsStableAndSensitive() {
        String f = sample(4).fingerprint();
        assertEquals(16, f.length());
        assertEquals(f, sample(4).fingerprint());
        assertNotEquals(f, sample(4).withoutLabels().fingerprint());
        assertNotEquals(f, sample(4).shuffled(1).fingerprint());
        assertNotEquals(f, sample(5).slice(0, 4).withLabels(Tensor.ofLongs("l", new long[] {4},
                new long[] {0, 1, 2, 1})).fingerprint(), "labels differ");
        assertEquals(f, sample(5).slice(0, 4).fingerprint());
    }

    @Test
    void arraysMustAgreeOnTheSampleCount() {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a", Tensor.ofFloats("a", new long[] {3, 4}, new float[12]));
        in.put("b", Tensor.ofFloats("b", new long[] {4, 3}, new float[12]));
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> DataSet.of(in));
        assertEquals("data arrays disagree on the number of samples: 'a' has 3, 'b' has 4", e.getMessage());
    }

    @Test
    void labelsMustBeNonNegativeInt64PerSample() {
        DataSet s = sample(3);
        OnnxHapException neg = assertThrows(OnnxHapException.class,
                () -> s.withLabels(Tensor.ofLongs("l", new long[] {3}, new long[] {0, -1, 2})));
        assertEquals(ErrorCode.USAGE, neg.code());
        assertEquals("labels must be integers >= 0; sample 1 has -1", neg.getMessage());
        OnnxHapException count = assertThrows(OnnxHapException.class,
                () -> s.withLabels(Tensor.ofLongs("l", new long[] {2}, new long[] {0, 1})));
        assertEquals("labels have shape [2] but the data has 3 samples; expected [3]", count.getMessage());
        assertThrows(OnnxHapException.class,
                () -> s.withLabels(Tensor.ofFloats("l", new long[] {3}, new float[3])));
    }

    @Test
    void randomFollowsDeclaredShapesAndOverrides() {
        OnnxModel m = TestModels.model(GraphProto.newBuilder()
                .addInput(value("x", DataType.FLOAT, "batch", 3, "seq"))
                .addInput(value("mask", DataType.BOOL, "batch", "seq"))
                .addInput(value("ids", DataType.INT64, 1, "other"))
                .addOutput(value("y", DataType.FLOAT, "batch", 3, "seq"))
                .addNode(node("Relu", new String[] {"x"}, new String[] {"y"})));
        DataSet r = DataSet.random(m, 4, 7, Map.of("seq", 5L));
        assertEquals(4, r.size());
        assertArrayEquals(new long[] {4, 3, 5}, r.input("x").shape());
        assertArrayEquals(new long[] {4, 5}, r.input("mask").shape());
        assertArrayEquals(new long[] {4, 1}, r.input("ids").shape(), "axis 0 holds the samples; other dims 1");
        assertEquals(DataType.BOOL, r.input("mask").type());
        assertTrue(Arrays.stream(r.input("ids").longs()).allMatch(v -> v == 0));
        assertEquals(r.fingerprint(), DataSet.random(m, 4, 7, Map.of("seq", 5L)).fingerprint());
        assertNotEquals(r.fingerprint(), DataSet.random(m, 4, 8, Map.of("seq", 5L)).fingerprint());
        // Standard normal: mean near 0, variance near 1 over many values.
        float[] v = DataSet.random(TestModels.imageModel(), 20, 1, Map.of()).input("input").floats();
        double mean = 0;
        double sq = 0;
        for (float f : v) {
            mean += f;
            sq += f * f;
        }
        mean /= v.length;
        assertEquals(0, mean, 0.02);
        assertEquals(1, sq / v.length - mean * mean, 0.03);
    }
}
