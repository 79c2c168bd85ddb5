package ai.onnxhap.data;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.Tensor;

/**
 * An array too large to hold on the heap, whose rows (samples along axis 0) are read on demand, e.g. from a
 * memory-mapped file. Implementations are immutable and safe to read from several threads.
 */
interface RowSource {
    /** The element type of the values read. */
    DataType type();

    /** The full shape, samples first. */
    long[] shape();

    /** The file it reads, for messages. */
    String source();

    /** The rows at the given indices, in that order, as one tensor of {@link #type()}. */
    Tensor read(String name, int[] rows);
}
