package ai.onnxhap.data;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.Tensor;
import java.util.Arrays;

/**
 * One array of a {@link DataSet}: either held as a tensor, or streamed — a view (row indices and element
 * type) on a {@link RowSource} whose rows are read only when a batch asks for them. Slicing, selecting and
 * shuffling a streamed column only rearrange its indices.
 */
sealed interface Column {
    long[] shape();

    DataType type();

    Column slice(int from, int to);

    Column select(int[] rows);

    /** The column's values as one tensor: a copy of the rows for a streamed column. */
    Tensor tensor(String name);

    /** This column with every value mapped by {@code f} (float32 out): held columns at once, streamed ones per read. */
    Column normalised(java.util.function.UnaryOperator<Tensor> f);

    record Held(Tensor tensor) implements Column {
        @Override
        public long[] shape() {
            return tensor.shape();
        }

        @Override
        public DataType type() {
            return tensor.type();
        }

        @Override
        public Column slice(int from, int to) {
            return new Held(TensorRows.slice(tensor, from, to));
        }

        @Override
        public Column select(int[] rows) {
            return new Held(TensorRows.gather(tensor, rows));
        }

        @Override
        public Tensor tensor(String name) {
            return tensor.name().equals(name) ? tensor : tensor.withName(name);
        }

        @Override
        public Column normalised(java.util.function.UnaryOperator<Tensor> f) {
            return new Held(f.apply(tensor));
        }
    }

    /**
     * @param rows    the source rows this column holds, in order
     * @param type    the element type rows are converted to when read
     * @param checked whether every row was already checked (finite, convertible to {@code type}), so
     *                binding again need not read the file
     */
    record Streamed(RowSource source, int[] rows, DataType type, boolean checked) implements Column {
        static Streamed of(RowSource source) {
            int n = Math.toIntExact(source.shape()[0]);
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return new Streamed(source, all, source.type(), false);
        }

        @Override
        public long[] shape() {
            long[] s = source.shape();
            s[0] = rows.length;
            return s;
        }

        @Override
        public Column slice(int from, int to) {
            return new Streamed(source, Arrays.copyOfRange(rows, from, to), type, checked);
        }

        @Override
        public Column select(int[] picked) {
            int[] out = new int[picked.length];
            for (int i = 0; i < picked.length; i++) {
                out[i] = rows[picked[i]];
            }
            return new Streamed(source, out, type, checked);
        }

        @Override
        public Tensor tensor(String name) {
            Tensor raw = source.read(name, rows);
            return raw.type() == type ? raw : ModelInputs.convert("input '" + name + "'", raw, type);
        }

        @Override
        public Column normalised(java.util.function.UnaryOperator<Tensor> f) {
            return new Streamed(new Mapped(source, f), rows, DataType.FLOAT, false);
        }
    }

    /** Rows of another source, mapped as they are read. */
    record Mapped(RowSource inner, java.util.function.UnaryOperator<Tensor> f) implements RowSource {
        @Override
        public DataType type() {
            return DataType.FLOAT;
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
            return f.apply(inner.read(name, rows));
        }
    }
}
