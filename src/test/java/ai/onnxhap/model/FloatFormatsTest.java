package ai.onnxhap.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.onnx.TensorProto;
import org.junit.jupiter.api.Test;

class FloatFormatsTest {

    @Test
    void halfKnownValues() {
        assertEquals(1.0f, FloatFormats.halfToFloat(0x3c00));
        assertEquals(-2.0f, FloatFormats.halfToFloat(0xc000));
        assertEquals(65504f, FloatFormats.halfToFloat(0x7bff));
        assertEquals(0x1p-24f, FloatFormats.halfToFloat(0x0001));
        assertEquals(0x1p-14f, FloatFormats.halfToFloat(0x0400));
        assertEquals(Float.POSITIVE_INFINITY, FloatFormats.halfToFloat(0x7c00));
        assertTrue(Float.isNaN(FloatFormats.halfToFloat(0x7e00)));
        assertEquals(0x3c00, FloatFormats.floatToHalf(1.0f));
        assertEquals(0x7c00, FloatFormats.floatToHalf(1e6f), "overflow goes to infinity");
        // 1 + 2^-11 is exactly halfway between 1 and the next half: ties go to even (1.0).
        assertEquals(0x3c00, FloatFormats.floatToHalf(1f + 0x1p-11f));
        assertEquals(0x3c01, FloatFormats.floatToHalf(1f + 0x1p-11f + 0x1p-20f));
    }

    @Test
    void everyHalfRoundTrips() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = FloatFormats.halfToFloat(bits);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(FloatFormats.halfToFloat(FloatFormats.floatToHalf(f))));
            } else {
                assertEquals(bits, FloatFormats.floatToHalf(f), "half bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void everyBfloat16RoundTrips() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = FloatFormats.bfloat16ToFloat(bits);
            if (!Float.isNaN(f)) {
                assertEquals(bits, FloatFormats.floatToBfloat16(f));
            }
        }
        assertEquals(1.0f, FloatFormats.bfloat16ToFloat(0x3f80));
    }

    @Test
    void float8ExtremesMatchTheOnnxSpecification() {
        assertEquals(448f, FloatFormats.float8ToFloat(0x7e, DataType.FLOAT8E4M3FN));
        assertTrue(Float.isNaN(FloatFormats.float8ToFloat(0x7f, DataType.FLOAT8E4M3FN)));
        assertEquals(0x1p-9f, FloatFormats.float8ToFloat(0x01, DataType.FLOAT8E4M3FN));
        assertEquals(240f, FloatFormats.float8ToFloat(0x7f, DataType.FLOAT8E4M3FNUZ));
        assertTrue(Float.isNaN(FloatFormats.float8ToFloat(0x80, DataType.FLOAT8E4M3FNUZ)));
        assertEquals(57344f, FloatFormats.float8ToFloat(0x7b, DataType.FLOAT8E5M2));
        assertEquals(Float.NEGATIVE_INFINITY, FloatFormats.float8ToFloat(0xfc, DataType.FLOAT8E5M2));
        assertEquals(57344f, FloatFormats.float8ToFloat(0x7f, DataType.FLOAT8E5M2FNUZ));
        assertEquals(6f, FloatFormats.float4ToFloat(0x7));
        assertEquals(-0.5f, FloatFormats.float4ToFloat(0x9));
    }

    @Test
    void float16TensorFromInt32DataAndRawDataAgree() {
        int[] bits = {0x3c00, 0xc000, 0x3555, 0x0001};
        TensorProto.Builder typed = TensorProto.newBuilder().setName("h").setDataType(DataType.FLOAT16.code()).addDims(4);
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int b : bits) {
            typed.addInt32Data(b);
            raw.putShort((short) b);
        }
        float[] fromTyped = TensorCodec.decode(typed.build()).floats();
        float[] fromRaw = TensorCodec.decode(TensorProto.newBuilder().setName("h").setDataType(10).addDims(4)
                .setRawData(com.google.protobuf.ByteString.copyFrom(raw.array())).build()).floats();
        assertEquals(1.0f, fromTyped[0]);
        assertEquals(-2.0f, fromTyped[1]);
        assertEquals(0.333251953125f, fromTyped[2]);
        assertEquals(0x1p-24f, fromTyped[3]);
        org.junit.jupiter.api.Assertions.assertArrayEquals(fromTyped, fromRaw);
    }
}
