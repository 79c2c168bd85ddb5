package ai.onnxhap.plan.sparse;

/**
 * A 2-D matrix inside a weight initializer, rows being output units: element (r, c) sits at flat index
 * {@code offset + r·rowStride + c·colStride} of the tensor. Covers Gemm/MatMul weights stored either way
 * round, one gate block of one direction of an LSTM/GRU/RNN weight, and a Conv kernel seen as C_out × C_in·k·k.
 *
 * @param part which slice of the tensor ("" for the whole tensor, e.g. "dir 0 gate f" for a recurrent gate block)
 */
public record MatrixView(String tensor, String node, String opType, String part, long[] tensorShape, int offset,
                         int rows, int cols, int rowStride, int colStride) {
    public MatrixView {
        tensorShape = tensorShape.clone();
    }

    @Override
    public long[] tensorShape() {
        return tensorShape.clone();
    }

    public int index(int row, int col) {
        return offset + row * rowStride + col * colStride;
    }

    public long elements() {
        return (long) rows * cols;
    }

    /** The tensor name, with the part when the view is a slice. */
    public String label() {
        return part.isEmpty() ? tensor : tensor + " (" + part + ")";
    }

    /** The view's values, row-major m×n, read from the tensor's flat values. */
    public float[] gather(float[] flat) {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = flat[index(r, c)];
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MatrixView v && v.tensor.equals(tensor) && v.part.equals(part) && v.offset == offset
                && v.rows == rows && v.cols == cols && v.rowStride == rowStride && v.colStride == colStride;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(tensor, part, offset, rows, cols);
    }
}
