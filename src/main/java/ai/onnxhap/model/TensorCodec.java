package ai.onnxhap.model;

import ai.onnxhap.onnx.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between {@link TensorProto} and {@link Tensor}. Reads raw_data (little-endian) and every
 * typed field the ONNX IR allows for each element type; writes raw_data.
 */
public final class TensorCodec {
    private TensorCodec() {
    }

    /** Decodes a tensor whose data is inline (not external). */
    public static Tensor decode(TensorProto proto) {
        if (proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw OnnxHapException.invalidModel("tensor '" + proto.getName()
                    + "' keeps its data in an external file; decode it through its model");
        }
        return decode(proto, proto.hasRawData() ? proto.getRawData().asReadOnlyByteBuffer() : null);
    }

    /** Decodes a tensor given its raw bytes (inline raw_data or read from external data), or null for typed fields. */
    public static Tensor decode(TensorProto proto, ByteBuffer raw) {
        if (!DataType.isKnownCode(proto.getDataType())) {
            throw OnnxHapException.invalidModel("tensor '" + proto.getName() + "' has unknown data type "
                    + proto.getDataType());
        }
        DataType type = DataType.fromCode(proto.getDataType());
        long[] shape = proto.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count;
        try {
            count = Tensor.elementCount(shape);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw OnnxHapException.invalidModel("tensor '" + proto.getName() + "' has an invalid shape "
                    + proto.getDimsList());
        }
        if (count > Integer.MAX_VALUE - 8 || (type.isComplex() && count * 2 > Integer.MAX_VALUE - 8)) {
            throw OnnxHapException.invalidModel("tensor '" + proto.getName() + "' has " + count
                    + " elements, more than one Java array holds");
        }
        int n = (int) count;
        int values = type.isComplex() ? 2 * n : n;
        try {
            if (type == DataType.STRING) {
                requireCount(proto, proto.getStringDataCount(), n);
                List<byte[]> strings = new ArrayList<>(n);
                for (ByteString s : proto.getStringDataList()) {
                    strings.add(s.toByteArray());
                }
                return Tensor.ofStrings(proto.getName(), shape, strings);
            }
            if (raw != null) {
                return decodeRaw(proto.getName(), type, shape, values, raw.duplicate().order(ByteOrder.LITTLE_ENDIAN));
            }
            return decodeTyped(proto, type, shape, values);
        } catch (IllegalArgumentException e) {
            throw OnnxHapException.invalidModel("tensor '" + proto.getName() + "': " + e.getMessage());
        }
    }

    private static void requireCount(TensorProto proto, long have, long want) {
        if (have != want) {
            throw OnnxHapException.invalidModel("tensor '" + proto.getName() + "' of shape " + proto.getDimsList()
                    + " holds " + have + " values instead of " + want);
        }
    }

    private static Tensor decodeRaw(String name, DataType type, long[] shape, int n, ByteBuffer b) {
        long needed = type.isComplex() ? type.rawBytes(n / 2) : type.rawBytes(n);
        if (b.remaining() != needed) {
            throw OnnxHapException.invalidModel("tensor '" + name + "' of type " + type + " and shape "
                    + java.util.Arrays.toString(shape) + " needs " + needed + " bytes, has " + b.remaining());
        }
        switch (type) {
            case FLOAT, COMPLEX64 -> {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                return Tensor.ofFloats(name, type, shape, v);
            }
            case DOUBLE, COMPLEX128 -> {
                double[] v = new double[n];
                b.asDoubleBuffer().get(v);
                return Tensor.ofDoubles(name, type, shape, v);
            }
            case FLOAT16, BFLOAT16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = narrowFloat(type, b.getShort() & 0xffff);
                }
                return Tensor.ofFloats(name, type, shape, v);
            }
            case FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = FloatFormats.float8ToFloat(b.get(), type);
                }
                return Tensor.ofFloats(name, type, shape, v);
            }
            case FLOAT4E2M1 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = FloatFormats.float4ToFloat(nibble(b, i));
                }
                return Tensor.ofFloats(name, type, shape, v);
            }
            case UINT4, INT4 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    int x = nibble(b, i);
                    v[i] = type == DataType.INT4 && x >= 8 ? x - 16 : x;
                }
                return Tensor.ofLongs(name, type, shape, v);
            }
            default -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = switch (type) {
                        case UINT8, BOOL -> b.get() & 0xff;
                        case INT8 -> b.get();
                        case UINT16 -> b.getShort() & 0xffff;
                        case INT16 -> b.getShort();
                        case INT32 -> b.getInt();
                        case UINT32 -> b.getInt() & 0xffffffffL;
                        case INT64, UINT64 -> b.getLong();
                        default -> throw new IllegalStateException("unhandled type " + type);
                    };
                }
                return Tensor.ofLongs(name, type, shape, v);
            }
        }
    }

    private static int nibble(ByteBuffer b, int i) {
        int packed = b.get(b.position() + i / 2) & 0xff;
        return (i % 2 == 0) ? packed & 0xf : packed >>> 4;
    }

    private static float narrowFloat(DataType type, int bits) {
        return type == DataType.FLOAT16 ? FloatFormats.halfToFloat(bits) : FloatFormats.bfloat16ToFloat(bits);
    }

    private static Tensor decodeTyped(TensorProto p, DataType type, long[] shape, int n) {
        String name = p.getName();
        switch (type) {
            case FLOAT, COMPLEX64 -> {
                requireCount(p, p.getFloatDataCount(), n);
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = p.getFloatData(i);
                }
                return Tensor.ofFloats(name, type, shape, v);
            }
            case DOUBLE, COMPLEX128 -> {
                requireCount(p, p.getDoubleDataCount(), n);
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = p.getDoubleData(i);
                }
                return Tensor.ofDoubles(name, type, shape, v);
            }
            case INT64 -> {
                requireCount(p, p.getInt64DataCount(), n);
                return Tensor.ofLongs(name, type, shape, p.getInt64DataList().stream().mapToLong(Long::longValue).toArray());
            }
            case UINT32, UINT64 -> {
                requireCount(p, p.getUint64DataCount(), n);
                return Tensor.ofLongs(name, type, shape, p.getUint64DataList().stream().mapToLong(Long::longValue).toArray());
            }
            case UINT4, INT4, FLOAT4E2M1 -> {
                // Two 4-bit values per int32 entry, low nibble first.
                requireCount(p, p.getInt32DataCount(), (n + 1) / 2);
                ByteBuffer packed = ByteBuffer.allocate((n + 1) / 2);
                for (int i = 0; i < packed.capacity(); i++) {
                    packed.put((byte) p.getInt32Data(i));
                }
                packed.flip();
                return decodeRaw(name, type, shape, n, packed);
            }
            default -> {
                // Everything else narrower than 64 bits travels in int32_data, one element per entry.
                requireCount(p, p.getInt32DataCount(), n);
                if (type.storage() == DataType.Storage.FLOAT) {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) {
                        int bits = p.getInt32Data(i);
                        v[i] = type.bits() == 8 ? FloatFormats.float8ToFloat(bits, type) : narrowFloat(type, bits & 0xffff);
                    }
                    return Tensor.ofFloats(name, type, shape, v);
                }
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    int x = p.getInt32Data(i);
                    v[i] = switch (type) {
                        case UINT8, BOOL -> x & 0xff;
                        case INT8 -> (byte) x;
                        case UINT16 -> x & 0xffff;
                        case INT16 -> (short) x;
                        default -> x;
                    };
                }
                return Tensor.ofLongs(name, type, shape, v);
            }
        }
    }

    /** Encodes a tensor as raw_data (strings as string_data). */
    public static TensorProto encode(Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(t.name()).setDataType(t.type().code());
        for (long d : t.shape()) {
            b.addDims(d);
        }
        if (t.type() == DataType.STRING) {
            for (byte[] s : t.strings()) {
                b.addStringData(ByteString.copyFrom(s));
            }
            return b.build();
        }
        return b.setRawData(UnsafeByteOperations.unsafeWrap(rawBytes(t))).build();
    }

    /** The little-endian raw_data encoding of a numeric tensor. */
    public static ByteBuffer rawBytes(Tensor t) {
        DataType type = t.type();
        long count = t.size() * (type.isComplex() ? 2 : 1);
        long bytes = type.isComplex() ? type.rawBytes(t.size()) : type.rawBytes(count);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT, COMPLEX64 -> out.asFloatBuffer().put(t.floats());
            case DOUBLE, COMPLEX128 -> out.asDoubleBuffer().put(t.doubles());
            case FLOAT16 -> {
                for (float v : t.floats()) {
                    out.putShort((short) FloatFormats.floatToHalf(v));
                }
            }
            case BFLOAT16 -> {
                for (float v : t.floats()) {
                    out.putShort((short) FloatFormats.floatToBfloat16(v));
                }
            }
            case UINT8, INT8, BOOL -> {
                for (long v : t.longs()) {
                    out.put((byte) v);
                }
            }
            case UINT16, INT16 -> {
                for (long v : t.longs()) {
                    out.putShort((short) v);
                }
            }
            case INT32, UINT32 -> {
                for (long v : t.longs()) {
                    out.putInt((int) v);
                }
            }
            case INT64, UINT64 -> out.asLongBuffer().put(t.longs());
            case UINT4, INT4 -> {
                long[] v = t.longs();
                for (int i = 0; i < v.length; i += 2) {
                    int lo = (int) v[i] & 0xf;
                    int hi = i + 1 < v.length ? (int) v[i + 1] & 0xf : 0;
                    out.put((byte) (lo | hi << 4));
                }
            }
            default -> throw new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED,
                    "writing tensors of type " + type + " is not supported");
        }
        out.position(0);
        return out;
    }
}
