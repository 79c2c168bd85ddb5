package ai.onnxhap.data;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** Row operations along axis 0 (the sample axis) of a {@link Tensor}: slice, gather, concatenate. */
public final class TensorRows {
    private TensorRows() {
    }

    /** Values per row: the product of every dimension after the first. */
    public static int rowSize(Tensor t) {
        requireRows(t);
        long n = Tensor.elementCount(Arrays.copyOfRange(t.shape(), 1, t.rank()));
        return Math.toIntExact(n * (t.type().isComplex() ? 2 : 1));
    }

    public static Tensor slice(Tensor t, int from, int to) {
        requireRows(t);
        if (from < 0 || to < from || to > t.dim(0)) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") outside " + t);
        }
        int row = rowSize(t);
        Object src = values(t);
        Object out = allocate(t.type(), (to - from) * row);
        copy(src, from * row, out, 0, (to - from) * row);
        return wrap(t, withRows(t.shape(), to - from), out);
    }

    /** The rows at the given indices, in that order. */
    public static Tensor gather(Tensor t, int[] rows) {
        requireRows(t);
        int row = rowSize(t);
        Object src = values(t);
        Object out = allocate(t.type(), rows.length * row);
        for (int i = 0; i < rows.length; i++) {
            copy(src, rows[i] * row, out, i * row, row);
        }
        return wrap(t, withRows(t.shape(), rows.length), out);
    }

    /** Concatenates along axis 0; types and all dimensions after the first must agree. */
    public static Tensor concat(List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        Tensor first = parts.get(0);
        if (parts.size() == 1) {
            return first;
        }
        long rows = 0;
        for (Tensor p : parts) {
            requireRows(p);
            long[] a = first.shape();
            long[] b = p.shape();
            if (p.type() != first.type() || a.length != b.length
                    || !Arrays.equals(Arrays.copyOfRange(a, 1, a.length), Arrays.copyOfRange(b, 1, b.length))) {
                throw new IllegalArgumentException("cannot concatenate " + p.type() + " " + Arrays.toString(b)
                        + " to " + first.type() + " " + Arrays.toString(a));
            }
            rows += p.dim(0);
        }
        int row = rowSize(first);
        Object out = allocate(first.type(), Math.toIntExact(rows * row));
        int at = 0;
        for (Tensor p : parts) {
            int n = Math.toIntExact(p.dim(0) * row);
            copy(values(p), 0, out, at, n);
            at += n;
        }
        return wrap(first, withRows(first.shape(), rows), out);
    }

    private static void requireRows(Tensor t) {
        if (t.rank() == 0) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is a scalar and has no sample axis");
        }
    }

    private static long[] withRows(long[] shape, long rows) {
        shape[0] = rows;
        return shape;
    }

    static Object values(Tensor t) {
        return switch (t.type().storage()) {
            case FLOAT -> t.floats();
            case DOUBLE -> t.doubles();
            case LONG -> t.longs();
            case STRING -> t.strings();
        };
    }

    private static Object allocate(DataType type, int n) {
        return switch (type.storage()) {
            case FLOAT -> new float[n];
            case DOUBLE -> new double[n];
            case LONG -> new long[n];
            case STRING -> new ArrayList<byte[]>(Collections.nCopies(n, (byte[]) null));
        };
    }

    @SuppressWarnings("unchecked")
    private static void copy(Object src, int srcPos, Object dst, int dstPos, int n) {
        if (src instanceof List<?> s) {
            List<byte[]> d = (List<byte[]>) dst;
            for (int i = 0; i < n; i++) {
                d.set(dstPos + i, (byte[]) s.get(srcPos + i));
            }
        } else {
            System.arraycopy(src, srcPos, dst, dstPos, n);
        }
    }

    static Tensor wrap(Tensor like, long[] shape, Object values) {
        return wrap(like.name(), like.type(), shape, values);
    }

    @SuppressWarnings("unchecked")
    static Tensor wrap(String name, DataType type, long[] shape, Object values) {
        return switch (type.storage()) {
            case FLOAT -> Tensor.ofFloats(name, type, shape, (float[]) values);
            case DOUBLE -> Tensor.ofDoubles(name, type, shape, (double[]) values);
            case LONG -> Tensor.ofLongs(name, type, shape, (long[]) values);
            case STRING -> Tensor.ofStrings(name, shape, (List<byte[]>) values);
        };
    }
}
