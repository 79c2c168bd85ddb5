package ai.onnxhap.tf.ops;

import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.TfTensors;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Small TF helpers shared by the handlers. ONNX types are only known at run time of the importer, so operands
 * travel as {@code Operand<?>} and are re-typed here for TF's generic signatures ({@link #any}, {@link #num}).
 */
public final class TfOps {
    private TfOps() {
    }

    /** Re-types an operand for a TF method with a {@code TType} bound; TF checks the real type. */
    @SuppressWarnings("unchecked")
    public static <T extends TType> Operand<T> any(Operand<?> x) {
        return (Operand<T>) x;
    }

    /** Re-types an operand for a TF method with a {@code TNumber} bound. */
    @SuppressWarnings("unchecked")
    public static <T extends TNumber> Operand<T> num(Operand<?> x) {
        return (Operand<T>) x;
    }

    public static Operand<TInt64> longs(Ops tf, long... v) {
        return tf.constant(v);
    }

    public static Operand<TInt32> ints(Ops tf, int... v) {
        return tf.constant(v);
    }

    public static Operand<TInt32> ints(Ops tf, long... v) {
        return tf.constant(Arrays.stream(v).mapToInt(Math::toIntExact).toArray());
    }

    public static Operand<?> constant(Ops tf, Tensor t) {
        try (TType tensor = TfTensors.toTf(t)) {
            return tf.constantOf(tensor);
        }
    }

    /** A scalar constant of the same TF type as {@code like}. */
    public static Operand<?> scalarLike(Ops tf, double v, Operand<?> like) {
        return scalar(tf, v, like.type());
    }

    public static Operand<?> scalar(Ops tf, double v, Class<? extends TType> type) {
        if (type == TFloat32.class) {
            return tf.constant((float) v);
        } else if (type == TFloat64.class) {
            return tf.constant(v);
        } else if (type == TInt32.class) {
            return tf.constant((int) v);
        } else if (type == TInt64.class) {
            return tf.constant((long) v);
        } else if (type == TBool.class) {
            return tf.constant(v != 0);
        }
        return cast(tf, tf.constant(v), type);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Operand<?> cast(Ops tf, Operand<?> x, Class<? extends TType> type) {
        if (x.type() == type) {
            return x;
        }
        return tf.dtypes.cast(x, (Class) type);
    }

    public static boolean isFloating(Operand<?> x) {
        Class<?> t = x.type();
        return t == TFloat32.class || t == TFloat64.class || t == TFloat16.class || t == TBfloat16.class;
    }

    public static boolean isBool(Operand<?> x) {
        return x.type() == TBool.class;
    }

    /** Static shape; -1 where unknown. The rank must be known (the importer checks it for node inputs). */
    public static long[] shape(Operand<?> x) {
        if (x.shape().isUnknown()) {
            throw new IllegalArgumentException("rank of " + x + " is unknown");
        }
        return x.shape().asArray();
    }

    public static int rank(Operand<?> x) {
        return shape(x).length;
    }

    public static boolean isStatic(long[] shape) {
        return Arrays.stream(shape).allMatch(d -> d >= 0);
    }

    /** The run-time shape as int64. */
    public static Operand<TInt64> dynamicShape(Ops tf, Operand<?> x) {
        return tf.shape(x, TInt64.class);
    }

    /** The shape as an int64 vector: a constant when static, else computed at run time. */
    public static Operand<TInt64> shapeOf(Ops tf, Operand<?> x) {
        long[] s = shape(x);
        return isStatic(s) ? longs(tf, s) : dynamicShape(tf, x);
    }

    /** One dimension as an int64 scalar, constant when known. */
    public static Operand<TInt64> dim(Ops tf, Operand<?> x, int axis) {
        long d = shape(x)[axis];
        if (d >= 0) {
            return tf.constant(d);
        }
        return tf.gather(dynamicShape(tf, x), tf.constant(axis), tf.constant(0));
    }

    public static Operand<?> transpose(Ops tf, Operand<?> x, int... perm) {
        return tf.linalg.transpose(any(x), tf.constant(perm));
    }

    public static Operand<?> reshape(Ops tf, Operand<?> x, long... shape) {
        return tf.reshape(any(x), tf.constant(shape));
    }

    public static Operand<?> reshape(Ops tf, Operand<?> x, Operand<? extends TNumber> shape) {
        return tf.reshape(any(x), shape);
    }

    /** Reshapes to 2-D [d0·…·d(axis−1), d(axis)·…·d(r−1)] (Flatten, and Softmax before opset 13). */
    public static Operand<?> flatten2d(Ops tf, Operand<?> x, int axis) {
        long[] s = shape(x);
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0) {
                outer = inner = -1;
                break;
            }
            if (i < axis) {
                outer *= s[i];
            } else {
                inner *= s[i];
            }
        }
        if (outer >= 0) {
            return reshape(tf, x, outer, inner);
        }
        boolean innerStatic = Arrays.stream(s, axis, s.length).allMatch(d -> d >= 0);
        if (innerStatic) {
            return reshape(tf, x, -1, Arrays.stream(s, axis, s.length).reduce(1, (a, b) -> a * b));
        }
        Operand<TInt64> dims = dynamicShape(tf, x);
        var keep = org.tensorflow.op.core.ReduceProd.keepDims(true);
        Operand<TInt64> head = tf.reduceProd(tf.slice(dims, longs(tf, 0), longs(tf, axis)), tf.constant(0), keep);
        Operand<TInt64> tail = tf.reduceProd(tf.slice(dims, longs(tf, axis), longs(tf, -1)), tf.constant(0), keep);
        return tf.reshape(any(x), tf.concat(java.util.List.of(head, tail), tf.constant(0)));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Operand<?> batchMatMul(Ops tf, Operand<?> a, Operand<?> b) {
        return tf.train.batchMatMul(a, b, (Class) a.type());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Operand<?> zeros(Ops tf, Operand<? extends TNumber> shape, Class<? extends TType> type) {
        return tf.zeros(shape, (Class) type);
    }

    /** The permutation moving axis {@code from} to the last position; its inverse moves it back. */
    public static int[] moveToEnd(int rank, int from) {
        int[] p = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            if (i != from) {
                p[j++] = i;
            }
        }
        p[rank - 1] = from;
        return p;
    }

    public static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[perm[i]] = i;
        }
        return inv;
    }

    public static boolean isIdentity(int[] perm) {
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] != i) {
                return false;
            }
        }
        return true;
    }
}
