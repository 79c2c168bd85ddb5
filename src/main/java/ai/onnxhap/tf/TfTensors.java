package ai.onnxhap.tf;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Conversions between onnx-hap {@link Tensor}s and TensorFlow tensors, and the TF type that carries each ONNX
 * element type. TF Java lacks int8/int16/uint16/uint32/uint64, so small integers ride in int32 and the
 * unsigned 32/64-bit ones in int64; values are wrapped back to the ONNX type on the way out (exact for
 * add/sub/mul, which are modular).
 */
public final class TfTensors {
    private TfTensors() {
    }

    /** The TF type that holds values of an ONNX element type. */
    public static Class<? extends TType> carrier(DataType type) {
        return switch (type) {
            case FLOAT -> TFloat32.class;
            case DOUBLE -> TFloat64.class;
            case FLOAT16 -> TFloat16.class;
            case BFLOAT16 -> TBfloat16.class;
            case BOOL -> TBool.class;
            case INT8, UINT8, INT16, UINT16, INT32 -> TInt32.class;
            case INT64, UINT32, UINT64 -> TInt64.class;
            default -> throw OnnxHapException.invalidModel(
                    "TensorFlow import does not support tensors of type " + type);
        };
    }

    /** The ONNX type a TF type stands for when nothing more specific is declared. */
    public static DataType onnxType(Class<? extends TType> tfType) {
        if (tfType == TFloat32.class) {
            return DataType.FLOAT;
        } else if (tfType == TFloat64.class) {
            return DataType.DOUBLE;
        } else if (tfType == TFloat16.class) {
            return DataType.FLOAT16;
        } else if (tfType == TBfloat16.class) {
            return DataType.BFLOAT16;
        } else if (tfType == TBool.class) {
            return DataType.BOOL;
        } else if (tfType == TInt32.class) {
            return DataType.INT32;
        } else if (tfType == TInt64.class) {
            return DataType.INT64;
        }
        throw OnnxHapException.invalidModel("TensorFlow type " + tfType.getSimpleName() + " has no ONNX counterpart");
    }

    /** A new TF tensor of {@code t}'s carrier type; the caller closes it. */
    public static TType toTf(Tensor t) {
        return toTf(t, carrier(t.type()));
    }

    /** A new TF tensor of the given TF type holding {@code t}'s values (converted); the caller closes it. */
    public static TType toTf(Tensor t, Class<? extends TType> tfType) {
        Shape shape = Shape.of(t.shape());
        int n = Math.toIntExact(t.size());
        if (tfType == TFloat32.class || tfType == TFloat16.class || tfType == TBfloat16.class) {
            float[] v = t.type().storage() == DataType.Storage.FLOAT ? t.floats() : toFloats(t.toDoubles());
            var buf = DataBuffers.of(v, true, false);
            return tfType == TFloat32.class ? TFloat32.tensorOf(shape, buf)
                    : tfType == TFloat16.class ? TFloat16.tensorOf(shape, buf) : TBfloat16.tensorOf(shape, buf);
        } else if (tfType == TFloat64.class) {
            return TFloat64.tensorOf(shape, DataBuffers.of(t.toDoubles(), true, false));
        } else if (tfType == TInt64.class) {
            return TInt64.tensorOf(shape, DataBuffers.of(t.toLongs(), true, false));
        } else if (tfType == TInt32.class) {
            long[] l = t.toLongs();
            int[] v = new int[n];
            for (int i = 0; i < n; i++) {
                v[i] = (int) l[i];
            }
            return TInt32.tensorOf(shape, DataBuffers.of(v, true, false));
        } else if (tfType == TBool.class) {
            double[] d = t.toDoubles();
            boolean[] v = new boolean[n];
            for (int i = 0; i < n; i++) {
                v[i] = d[i] != 0;
            }
            return TBool.tensorOf(shape, DataBuffers.of(v, true, false));
        }
        throw new IllegalArgumentException("no conversion to " + tfType.getSimpleName());
    }

    /** The values of a TF tensor as an onnx-hap tensor of the given ONNX type (null: the carrier's own type). */
    public static Tensor fromTf(String name, TType t, DataType type) {
        long[] shape = t.shape().asArray();
        int n = Math.toIntExact(t.shape().size());
        DataType target = type != null ? type : onnxType(t.type());
        if (t instanceof TFloat32 || t instanceof TFloat16 || t instanceof TBfloat16) {
            float[] v = new float[n];
            ((org.tensorflow.ndarray.FloatNdArray) t).copyTo(DataBuffers.of(v, false, false));
            return floatsAs(name, target, shape, v);
        } else if (t instanceof TFloat64 d) {
            double[] v = new double[n];
            d.copyTo(DataBuffers.of(v, false, false));
            if (target.storage() == DataType.Storage.FLOAT) {
                return Tensor.ofFloats(name, target, shape, toFloats(v));
            }
            return target == DataType.DOUBLE ? Tensor.ofDoubles(name, target, shape, v)
                    : longsAs(name, target, shape, toLongs(v));
        } else if (t instanceof TInt32 i32) {
            int[] v = new int[n];
            i32.copyTo(DataBuffers.of(v, false, false));
            long[] l = new long[n];
            for (int i = 0; i < n; i++) {
                l[i] = v[i];
            }
            return longsAs(name, target, shape, l);
        } else if (t instanceof TInt64 i64) {
            long[] v = new long[n];
            i64.copyTo(DataBuffers.of(v, false, false));
            return longsAs(name, target, shape, v);
        } else if (t instanceof TBool b) {
            boolean[] v = new boolean[n];
            b.copyTo(DataBuffers.of(v, false, false));
            long[] l = new long[n];
            for (int i = 0; i < n; i++) {
                l[i] = v[i] ? 1 : 0;
            }
            return longsAs(name, target, shape, l);
        }
        throw OnnxHapException.invalidModel("cannot read a TensorFlow tensor of type " + t.type().getSimpleName());
    }

    private static Tensor floatsAs(String name, DataType target, long[] shape, float[] v) {
        return switch (target.storage()) {
            case FLOAT -> Tensor.ofFloats(name, target, shape, v);
            case DOUBLE -> {
                double[] d = new double[v.length];
                for (int i = 0; i < v.length; i++) {
                    d[i] = v[i];
                }
                yield Tensor.ofDoubles(name, target, shape, d);
            }
            case LONG -> {
                long[] l = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    l[i] = (long) v[i];
                }
                yield longsAs(name, target, shape, l);
            }
            case STRING -> throw OnnxHapException.invalidModel("string tensors are not supported");
        };
    }

    /** Integer values wrapped to the ONNX type's range (carriers are wider than int8/uint8/...). */
    private static Tensor longsAs(String name, DataType target, long[] shape, long[] v) {
        if (target.storage() == DataType.Storage.FLOAT) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = v[i];
            }
            return Tensor.ofFloats(name, target, shape, f);
        } else if (target.storage() == DataType.Storage.DOUBLE) {
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                d[i] = v[i];
            }
            return Tensor.ofDoubles(name, target, shape, d);
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (target) {
                case INT8 -> (byte) v[i];
                case UINT8 -> v[i] & 0xFF;
                case INT16 -> (short) v[i];
                case UINT16 -> v[i] & 0xFFFF;
                case INT32 -> (int) v[i];
                case UINT32 -> v[i] & 0xFFFFFFFFL;
                case BOOL -> v[i] != 0 ? 1 : 0;
                default -> v[i];
            };
        }
        return Tensor.ofLongs(name, target, shape, v);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static long[] toLongs(double[] d) {
        long[] l = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            l[i] = (long) d[i];
        }
        return l;
    }
}
