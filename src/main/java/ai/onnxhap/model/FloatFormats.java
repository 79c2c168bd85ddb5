package ai.onnxhap.model;

/**
 * Bit-level conversions between float32 and ONNX's narrow float formats. Java 17 has no float16
 * support in the JDK, so these follow IEEE 754 (float16) and the ONNX float8 specification.
 */
public final class FloatFormats {
    private FloatFormats() {
    }

    public static float halfToFloat(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Round to nearest even, overflow to infinity, NaN kept quiet. */
    public static int floatToHalf(float value) {
        int f = Float.floatToRawIntBits(value);
        int sign = (f >>> 16) & 0x8000;
        int exp = (f >>> 23) & 0xff;
        int mant = f & 0x7fffff;
        if (exp == 0xff) {
            return sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0);
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return sign | 0x7c00;
        }
        if (e <= 0) {
            if (e < -10) {
                return sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >>> shift;
            int rest = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rest > mid || (rest == mid && (half & 1) != 0)) {
                half++;
            }
            return sign | half;
        }
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++;
        }
        return sign | half;
    }

    public static float bfloat16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    public static int floatToBfloat16(float value) {
        int f = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (f >>> 16) | 0x40;
        }
        int rounding = 0x7fff + ((f >>> 16) & 1);
        return (f + rounding) >>> 16;
    }

    /** Decodes an 8-bit float of the given ONNX float8 type. */
    public static float float8ToFloat(int bits, DataType type) {
        bits &= 0xff;
        boolean e4m3 = type == DataType.FLOAT8E4M3FN || type == DataType.FLOAT8E4M3FNUZ;
        boolean uz = type == DataType.FLOAT8E4M3FNUZ || type == DataType.FLOAT8E5M2FNUZ;
        int mantBits = e4m3 ? 3 : 2;
        int expBits = 7 - mantBits;
        int bias = (1 << (expBits - 1)) - 1 + (uz ? 1 : 0);
        if (uz && bits == 0x80) {
            return Float.NaN;
        }
        boolean negative = (bits & 0x80) != 0;
        int exp = (bits >>> mantBits) & ((1 << expBits) - 1);
        int mant = bits & ((1 << mantBits) - 1);
        if (!uz) {
            if (e4m3 && exp == 0xf && mant == 0x7) {
                return Float.NaN;
            }
            if (!e4m3 && exp == 0x1f) {
                return mant == 0 ? (negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY) : Float.NaN;
            }
        }
        float magnitude = exp == 0
                ? Math.scalb((float) mant, 1 - bias - mantBits)
                : Math.scalb((float) ((1 << mantBits) | mant), exp - bias - mantBits);
        return negative ? -magnitude : magnitude;
    }

    /** Decodes a 4-bit float (E2M1). */
    public static float float4ToFloat(int bits) {
        bits &= 0xf;
        int exp = (bits >>> 1) & 0x3;
        int mant = bits & 1;
        float magnitude = exp == 0 ? mant * 0.5f : Math.scalb(1f + mant * 0.5f, exp - 1);
        return (bits & 0x8) != 0 ? -magnitude : magnitude;
    }
}
