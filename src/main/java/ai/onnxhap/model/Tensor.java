package ai.onnxhap.model;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A decoded tensor: element type, shape and the values in one Java array chosen by
 * {@link DataType#storage()} (float16/bfloat16/float8 widen to float, all integers and bool to long).
 * The arrays are owned by the tensor; accessors return them without copying, so callers treat them as
 * read-only and build a new tensor to change values.
 */
public final class Tensor {
    private final String name;
    private final DataType type;
    private final long[] shape;
    private final Object values;

    private Tensor(String name, DataType type, long[] shape, Object values) {
        this.name = name == null ? "" : name;
        this.type = Objects.requireNonNull(type, "type");
        this.shape = shape.clone();
        this.values = values;
        long expected = elementCount(shape) * (type.isComplex() ? 2 : 1);
        if (length(values) != expected) {
            throw new IllegalArgumentException("tensor '" + this.name + "' of shape " + Arrays.toString(shape)
                    + " needs " + expected + " values, got " + length(values));
        }
    }

    public static Tensor ofFloats(String name, DataType type, long[] shape, float[] values) {
        requireStorage(type, DataType.Storage.FLOAT);
        return new Tensor(name, type, shape, values);
    }

    public static Tensor ofFloats(String name, long[] shape, float[] values) {
        return ofFloats(name, DataType.FLOAT, shape, values);
    }

    public static Tensor ofDoubles(String name, DataType type, long[] shape, double[] values) {
        requireStorage(type, DataType.Storage.DOUBLE);
        return new Tensor(name, type, shape, values);
    }

    /** A floating-point tensor of any float type from double values (rounded to the type's storage). */
    public static Tensor ofReals(String name, DataType type, long[] shape, double[] values) {
        if (type.storage() == DataType.Storage.DOUBLE) {
            return ofDoubles(name, type, shape, values);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return ofFloats(name, type, shape, f);
    }

    public static Tensor ofLongs(String name, DataType type, long[] shape, long[] values) {
        requireStorage(type, DataType.Storage.LONG);
        return new Tensor(name, type, shape, values);
    }

    public static Tensor ofLongs(String name, long[] shape, long[] values) {
        return ofLongs(name, DataType.INT64, shape, values);
    }

    public static Tensor ofStrings(String name, long[] shape, List<byte[]> values) {
        return new Tensor(name, DataType.STRING, shape, List.copyOf(values));
    }

    private static void requireStorage(DataType type, DataType.Storage storage) {
        if (type.storage() != storage) {
            throw new IllegalArgumentException(type + " is not stored as " + storage);
        }
    }

    private static long length(Object values) {
        if (values instanceof float[] f) {
            return f.length;
        } else if (values instanceof double[] d) {
            return d.length;
        } else if (values instanceof long[] l) {
            return l.length;
        } else if (values instanceof List<?> s) {
            return s.size();
        }
        throw new IllegalArgumentException("unsupported value array " + values);
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public String name() {
        return name;
    }

    public DataType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public long size() {
        return elementCount(shape);
    }

    public Tensor withName(String newName) {
        return new Tensor(newName, type, shape, values);
    }

    /** Same values, new shape of the same element count. */
    public Tensor reshape(long[] newShape) {
        return new Tensor(name, type, newShape, values);
    }

    public float[] floats() {
        if (values instanceof float[] f) {
            return f;
        }
        throw new IllegalStateException("tensor '" + name + "' of type " + type + " has no float values");
    }

    public double[] doubles() {
        if (values instanceof double[] d) {
            return d;
        }
        throw new IllegalStateException("tensor '" + name + "' of type " + type + " has no double values");
    }

    public long[] longs() {
        if (values instanceof long[] l) {
            return l;
        }
        throw new IllegalStateException("tensor '" + name + "' of type " + type + " has no integer values");
    }

    @SuppressWarnings("unchecked")
    public List<byte[]> strings() {
        if (values instanceof List<?>) {
            return (List<byte[]>) values;
        }
        throw new IllegalStateException("tensor '" + name + "' of type " + type + " has no string values");
    }

    /** Every numeric value widened to double (complex types interleaved). */
    public double[] toDoubles() {
        if (values instanceof float[] f) {
            double[] out = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
            return out;
        } else if (values instanceof double[] d) {
            return d.clone();
        } else if (values instanceof long[] l) {
            double[] out = new double[l.length];
            for (int i = 0; i < l.length; i++) {
                out[i] = type == DataType.UINT64 && l[i] < 0 ? Math.scalb((double) (l[i] >>> 1), 1) : l[i];
            }
            return out;
        }
        throw new IllegalStateException("tensor '" + name + "' of type " + type + " is not numeric");
    }

    /** The slices at the given positions along one axis, in the order given. */
    public Tensor select(int axis, int[] positions) {
        long[] newShape = shape.clone();
        newShape[axis] = positions.length;
        int dim = (int) shape[axis];
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        long outer = size() / Math.max(1, dim * inner);
        int block = (int) inner * (type.isComplex() ? 2 : 1);
        int n = (int) (outer * positions.length * block);
        Object out = switch (type.storage()) {
            case FLOAT -> new float[n];
            case DOUBLE -> new double[n];
            case LONG -> new long[n];
            case STRING -> throw new IllegalStateException("cannot slice string tensor '" + name + "'");
        };
        int dst = 0;
        for (long o = 0; o < outer; o++) {
            for (int p : positions) {
                if (p < 0 || p >= dim) {
                    throw new IllegalArgumentException("index " + p + " outside axis " + axis + " of " + this);
                }
                System.arraycopy(values, (int) ((o * dim + p) * block), out, dst, block);
                dst += block;
            }
        }
        return new Tensor(name, type, newShape, out);
    }

    /** Values as longs, for shape computations; floating values must be integral. */
    public long[] toLongs() {
        if (values instanceof long[] l) {
            return l.clone();
        }
        double[] d = toDoubles();
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }

    @Override
    public String toString() {
        return "Tensor[" + name + ", " + type + ", " + Arrays.toString(shape) + "]";
    }
}
