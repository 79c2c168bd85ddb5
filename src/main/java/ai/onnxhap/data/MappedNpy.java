package ai.onnxhap.data;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.Tensor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A .npy file memory-mapped rather than read: the operating system pages rows in as batches ask for them,
 * so a 60,000-image training set costs no heap beyond the batch being decoded. Files over 2 GB are mapped
 * in several segments, each holding whole rows.
 */
final class MappedNpy implements RowSource {
    /** Largest segment mapped at once; a MappedByteBuffer is indexed by int. */
    private static final long SEGMENT_BYTES = 1L << 30;

    private final String source;
    private final Npy.Header header;
    private final MappedByteBuffer[] segments;
    private final int rowsPerSegment;
    private final int rowValues;
    private final int rowBytes;

    private MappedNpy(String source, Npy.Header header, MappedByteBuffer[] segments, int rowsPerSegment,
                      int rowValues, int rowBytes) {
        this.source = source;
        this.header = header;
        this.segments = segments;
        this.rowsPerSegment = rowsPerSegment;
        this.rowValues = rowValues;
        this.rowBytes = rowBytes;
    }

    static MappedNpy open(Path file) {
        return open(file, SEGMENT_BYTES);
    }

    /** @param segmentBytes the most bytes mapped at once (small in tests, to exercise several segments) */
    static MappedNpy open(Path file, long segmentBytes) {
        String source = file.toString();
        Npy.Header h;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            h = Npy.readHeader(in, source);
        } catch (IOException e) {
            throw OnnxHapException.io("cannot read " + file + ": " + e.getMessage(), e);
        }
        long[] shape = h.shape();
        if (shape.length == 0) {
            throw OnnxHapException.usage("data array in " + file + " is a scalar; arrays need the sample axis first");
        }
        long rowValuesLong = Tensor.elementCount(Arrays.copyOfRange(shape, 1, shape.length));
        long rowBytesLong = rowValuesLong * h.width();
        if (rowBytesLong > segmentBytes) {
            throw OnnxHapException.usage(file + " has samples of " + rowBytesLong + " bytes each, more than "
                    + "onnx-hap maps at once (" + (segmentBytes >> 20) + " MB)");
        }
        if (shape[0] > Integer.MAX_VALUE) {
            throw OnnxHapException.usage(file + " has " + shape[0] + " samples, more than onnx-hap handles");
        }
        int rows = (int) shape[0];
        int rowBytes = (int) rowBytesLong;
        int rowsPerSegment = (int) Math.min(rows, segmentBytes / Math.max(1, rowBytes));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long needed = h.dataOffset() + (long) rows * rowBytes;
            if (ch.size() < needed) {
                throw OnnxHapException.usage(file + " is not a valid .npy array (truncated data: "
                        + (ch.size() - h.dataOffset()) + " of " + (needed - h.dataOffset()) + " bytes)");
            }
            int count = rowsPerSegment == 0 ? 0 : (rows + rowsPerSegment - 1) / rowsPerSegment;
            MappedByteBuffer[] segments = new MappedByteBuffer[count];
            for (int s = 0; s < count; s++) {
                long first = (long) s * rowsPerSegment;
                long length = Math.min(rowsPerSegment, rows - first) * rowBytes;
                segments[s] = ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset() + first * rowBytes, length);
            }
            return new MappedNpy(source, h, segments, rowsPerSegment, (int) rowValuesLong, rowBytes);
        } catch (IOException e) {
            throw OnnxHapException.io("cannot map " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public DataType type() {
        return header.type();
    }

    @Override
    public long[] shape() {
        return header.shape();
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public Tensor read(String name, int[] rows) {
        Object values = Npy.allocate(header.type(), Math.multiplyExact(rows.length, rowValues));
        for (int i = 0; i < rows.length; i++) {
            int row = rows[i];
            if (row < 0 || row >= header.shape()[0]) {
                throw new IndexOutOfBoundsException("row " + row + " outside " + source);
            }
            // slice() gives an independent position, so concurrent readers do not interfere.
            ByteBuffer b = segments[row / rowsPerSegment].slice((row % rowsPerSegment) * rowBytes, rowBytes)
                    .order(header.order());
            Npy.decodeInto(header.type(), b, values, i * rowValues, rowValues);
        }
        long[] shape = header.shape();
        shape[0] = rows.length;
        return TensorRows.wrap(name, header.type(), shape, values);
    }
}
