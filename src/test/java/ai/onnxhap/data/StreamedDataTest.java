package ai.onnxhap.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jetbrains.bio.npy.NpyFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A .npy is memory-mapped and read a batch at a time; every view must hold the same values as the array. */
class StreamedDataTest {
    @TempDir
    Path tmp;

    /** x[i, j] = 1000 i + j: each value tells its row and column. */
    private static float[] indexed(int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                v[i * cols + j] = 1000 * i + j;
            }
        }
        return v;
    }

    private Path npy(String name, float[] values, int... shape) {
        Path p = tmp.resolve(name);
        NpyFile.write(p, values, shape);
        return p;
    }

    /** Counts the rows read, to show which operations touch the file. */
    private static final class CountingSource implements RowSource {
        final RowSource inner;
        final List<Integer> reads = new ArrayList<>();

        CountingSource(RowSource inner) {
            this.inner = inner;
        }

        @Override
        public DataType type() {
            return inner.type();
        }

        @Override
        public long[] shape() {
            return inner.shape();
        }

        @Override
        public String source() {
            return inner.source();
        }

        @Override
        public Tensor read(String name, int[] rows) {
            reads.add(rows.length);
            return inner.read(name, rows);
        }
    }

    @Test
    void npyIsStreamedAndReadsTheSameValuesAsTheFile() {
        float[] x = indexed(50, 784);
        DataSet d = DataLoader.load(npy("x.npy", x, 50, 1, 28, 28));
        assertTrue(d.isStreamed(), d.toString());
        assertArrayEquals(new long[] {50, 1, 28, 28}, d.shape("arr_0"));
        assertEquals(DataType.FLOAT, d.type("arr_0"));
        assertArrayEquals(x, d.input("arr_0").floats());
        DataSet bound = ModelInputs.bind(d, TestModels.imageModel());
        assertTrue(bound.isStreamed());
        assertArrayEquals(x, bound.input("input").floats());
    }

    @Test
    void shuffleSliceAndSelectOnlyMoveIndicesAndAgreeWithTheHeldArray() {
        int n = 37;
        float[] x = indexed(n, 5);
        Path file = npy("x.npy", x, n, 5);
        CountingSource counting = new CountingSource(MappedNpy.open(file));
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 4;
        }
        Tensor labels = Tensor.ofLongs("labels", new long[] {n}, y);
        DataSet streamed = DataSet.ofColumns(Map.of("x", Column.Streamed.of(counting)), labels, Map.of());
        DataSet held = new DataSet(Map.of("x", Tensor.ofFloats("x", new long[] {n, 5}, x)), labels);

        DataSet view = streamed.shuffled(7).slice(3, 30).select(new int[] {26, 0, 5, 5});
        assertEquals(List.of(), counting.reads, "views read nothing");
        DataSet expected = held.shuffled(7).slice(3, 30).select(new int[] {26, 0, 5, 5});
        assertArrayEquals(expected.input("x").floats(), view.input("x").floats());
        assertArrayEquals(expected.labels().orElseThrow().longs(), view.labels().orElseThrow().longs());
        assertEquals(List.of(4), counting.reads, "reading the view reads its 4 rows, once");

        counting.reads.clear();
        List<DataSet> batches = streamed.shuffled(1).batches(8);
        List<Float> firstColumn = new ArrayList<>();
        for (DataSet b : batches) {
            float[] v = b.input("x").floats();
            for (int i = 0; i < b.size(); i++) {
                firstColumn.add(v[i * 5]);
            }
        }
        assertEquals(List.of(8, 8, 8, 8, 5), counting.reads, "one read per batch, of that batch's rows");
        float[] heldFirst = held.shuffled(1).input("x").floats();
        for (int i = 0; i < n; i++) {
            assertEquals(heldFirst[i * 5], firstColumn.get(i));
        }
        assertEquals(held.fingerprint(), streamed.fingerprint());
        assertEquals(held.shuffled(3).slice(2, 20).fingerprint(), streamed.shuffled(3).slice(2, 20).fingerprint());
    }

    @Test
    void largeFilesAreMappedInSegmentsOfWholeRows() {
        int n = 23;
        float[] x = indexed(n, 6);
        Path file = npy("x.npy", x, n, 6);
        // 24-byte rows, 100-byte segments: 4 rows per segment, 6 segments, the last one short.
        MappedNpy segmented = MappedNpy.open(file, 100);
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = n - 1 - i;
        }
        float[] reversed = segmented.read("x", all).floats();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(x[(n - 1 - i) * 6 + j], reversed[i * 6 + j]);
            }
        }
    }

    @Test
    void float64FilesAreConvertedBatchByBatchWhenBound() {
        Path file = tmp.resolve("d.npy");
        double[] v = new double[4 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = i / 3.0;
        }
        NpyFile.write(file, v, new int[] {4, 3});
        DataSet bound = ModelInputs.bind(DataLoader.load(file), TestModels.mlp(-1, 3, 2, 2, 1));
        assertTrue(bound.isStreamed());
        assertEquals(DataType.FLOAT, bound.type(bound.names().get(0)));
        float[] got = bound.slice(1, 3).input(bound.names().get(0)).floats();
        for (int i = 0; i < 6; i++) {
            assertEquals((float) v[3 + i], got[i]);
        }
    }

    @Test
    void nonFiniteValuesAreFoundInFileOrderAcrossChunks() {
        // 3000 rows of 784: several 4 MB chunks; the NaN sits in the last one.
        float[] x = new float[3000 * 784];
        x[2999 * 784 + 3] = Float.NaN;
        Path file = npy("nan.npy", x, 3000, 784);
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> DataLoader.load(file));
        assertEquals(ErrorCode.USAGE, e.code());
        assertEquals("data array 'arr_0' in " + file + " has NaN in sample 2999 (index " + (2999 * 784 + 3) + ")",
                e.getMessage());
    }

    @Test
    void truncatedAndEmptyFilesFailAtLoad() throws Exception {
        Path file = npy("x.npy", indexed(4, 10), 4, 10);
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        java.nio.file.Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        OnnxHapException cut = assertThrows(OnnxHapException.class, () -> DataLoader.load(file));
        assertTrue(cut.getMessage().contains("truncated data: 153 of 160 bytes"), cut.getMessage());
        OnnxHapException empty = assertThrows(OnnxHapException.class,
                () -> DataLoader.load(npy("e.npy", new float[0], 0, 10)));
        assertTrue(empty.getMessage().endsWith("holds no samples"), empty.getMessage());
        assertFalse(empty.getMessage().contains("\n"));
    }
}
