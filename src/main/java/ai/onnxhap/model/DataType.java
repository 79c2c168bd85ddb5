package ai.onnxhap.model;

import java.util.HashMap;
import java.util.Map;

/** ONNX tensor element types with their wire codes and storage widths. */
public enum DataType {
    FLOAT(1, 32, Storage.FLOAT),
    UINT8(2, 8, Storage.LONG),
    INT8(3, 8, Storage.LONG),
    UINT16(4, 16, Storage.LONG),
    INT16(5, 16, Storage.LONG),
    INT32(6, 32, Storage.LONG),
    INT64(7, 64, Storage.LONG),
    STRING(8, 0, Storage.STRING),
    BOOL(9, 8, Storage.LONG),
    FLOAT16(10, 16, Storage.FLOAT),
    DOUBLE(11, 64, Storage.DOUBLE),
    UINT32(12, 32, Storage.LONG),
    /** Held as the signed long with the same bits. */
    UINT64(13, 64, Storage.LONG),
    /** Held as interleaved (real, imaginary) floats. */
    COMPLEX64(14, 64, Storage.FLOAT),
    /** Held as interleaved (real, imaginary) doubles. */
    COMPLEX128(15, 128, Storage.DOUBLE),
    BFLOAT16(16, 16, Storage.FLOAT),
    FLOAT8E4M3FN(17, 8, Storage.FLOAT),
    FLOAT8E4M3FNUZ(18, 8, Storage.FLOAT),
    FLOAT8E5M2(19, 8, Storage.FLOAT),
    FLOAT8E5M2FNUZ(20, 8, Storage.FLOAT),
    UINT4(21, 4, Storage.LONG),
    INT4(22, 4, Storage.LONG),
    FLOAT4E2M1(23, 4, Storage.FLOAT);

    /** The Java array an element type is decoded into. */
    public enum Storage { FLOAT, DOUBLE, LONG, STRING }

    private static final Map<Integer, DataType> BY_CODE = new HashMap<>();

    static {
        for (DataType t : values()) {
            BY_CODE.put(t.code, t);
        }
    }

    private final int code;
    private final int bits;
    private final Storage storage;

    DataType(int code, int bits, Storage storage) {
        this.code = code;
        this.bits = bits;
        this.storage = storage;
    }

    public int code() {
        return code;
    }

    /** Bits per element on the wire (complex types count both parts); 0 for strings. */
    public int bits() {
        return bits;
    }

    public Storage storage() {
        return storage;
    }

    public boolean isComplex() {
        return this == COMPLEX64 || this == COMPLEX128;
    }

    /** Bytes needed for {@code count} elements in raw_data (4-bit types pack two per byte). */
    public long rawBytes(long count) {
        return (count * bits + 7) / 8;
    }

    public static DataType fromCode(int code) {
        DataType t = BY_CODE.get(code);
        if (t == null) {
            throw OnnxHapException.invalidModel("unknown tensor data type code " + code);
        }
        return t;
    }

    public static boolean isKnownCode(int code) {
        return BY_CODE.containsKey(code);
    }
}
