package ai.onnxhap.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxhap.onnx.TensorProto;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorCodecTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "BOOL",
            "UINT32", "UINT64", "INT4", "UINT4"})
    void integerTypesRoundTripThroughRawData(DataType type) {
        long[] values = switch (type) {
            case UINT8 -> new long[] {0, 1, 200, 255, 7};
            case INT8 -> new long[] {-128, -1, 0, 5, 127};
            case UINT16 -> new long[] {0, 65535, 300, 1, 2};
            case INT16 -> new long[] {-32768, 32767, -5, 0, 9};
            case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, 42};
            case UINT32 -> new long[] {0, 4294967295L, 1, 2, 3};
            case BOOL -> new long[] {0, 1, 1, 0, 1};
            case INT4 -> new long[] {-8, 7, -1, 0, 3};
            case UINT4 -> new long[] {0, 15, 9, 1, 2};
            default -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -1, 0, 1};
        };
        Tensor t = Tensor.ofLongs("t", type, new long[] {5}, values);
        TensorProto p = TensorCodec.encode(t);
        assertEquals(type.rawBytes(5), p.getRawData().size());
        Tensor back = TensorCodec.decode(p);
        assertEquals(type, back.type());
        assertArrayEquals(values, back.longs());
    }

    @Test
    void typedFieldsDecode() {
        TensorProto f = TensorProto.newBuilder().setName("f").setDataType(1).addDims(2).addDims(2)
                .addFloatData(1).addFloatData(-2).addFloatData(3.5f).addFloatData(0).build();
        assertArrayEquals(new float[] {1, -2, 3.5f, 0}, TensorCodec.decode(f).floats());
        TensorProto i8 = TensorProto.newBuilder().setName("i").setDataType(DataType.INT8.code()).addDims(3)
                .addInt32Data(-3).addInt32Data(127).addInt32Data(0).build();
        assertArrayEquals(new long[] {-3, 127, 0}, TensorCodec.decode(i8).longs());
        TensorProto i64 = TensorProto.newBuilder().setName("l").setDataType(7).addDims(2).addInt64Data(-1).addInt64Data(9)
                .build();
        assertArrayEquals(new long[] {-1, 9}, TensorCodec.decode(i64).longs());
        TensorProto d = TensorProto.newBuilder().setName("d").setDataType(11).addDoubleData(2.5).build();
        assertArrayEquals(new double[] {2.5}, TensorCodec.decode(d).doubles(), "scalar (rank 0) has one element");
        TensorProto u64 = TensorProto.newBuilder().setName("u").setDataType(13).addDims(1).addUint64Data(-1L).build();
        assertEquals(1.8446744073709552E19, TensorCodec.decode(u64).toDoubles()[0]);
        TensorProto s = TensorProto.newBuilder().setName("s").setDataType(8).addDims(2)
                .addStringData(com.google.protobuf.ByteString.copyFromUtf8("a"))
                .addStringData(com.google.protobuf.ByteString.copyFromUtf8("bc")).build();
        List<byte[]> strings = TensorCodec.decode(s).strings();
        assertEquals("bc", new String(strings.get(1), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void floatTypesRoundTrip() {
        float[] v = {1f, -0.5f, 3.25f, 0f};
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16}) {
            Tensor t = Tensor.ofFloats("x", type, new long[] {2, 2}, v);
            Tensor back = TensorCodec.decode(TensorCodec.encode(t));
            assertArrayEquals(v, back.floats(), type.toString());
            assertArrayEquals(new long[] {2, 2}, back.shape());
        }
        double[] dv = {1e-300, -2, Math.PI};
        assertArrayEquals(dv, TensorCodec.decode(TensorCodec.encode(Tensor.ofDoubles("d", DataType.DOUBLE,
                new long[] {3}, dv))).doubles());
    }

    @Test
    void sizeMismatchIsAnInvalidModel() {
        TensorProto bad = TensorProto.newBuilder().setName("w").setDataType(1).addDims(3)
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[8])).build();
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> TensorCodec.decode(bad));
        assertEquals(ErrorCode.MODEL_NOT_SUPPORTED, e.code());
        assertEquals("tensor 'w' of type FLOAT and shape [3] needs 12 bytes, has 8", e.getMessage());
        TensorProto missing = TensorProto.newBuilder().setName("w").setDataType(1).addDims(2).addFloatData(1).build();
        assertThrows(OnnxHapException.class, () -> TensorCodec.decode(missing));
        TensorProto unknownType = TensorProto.newBuilder().setName("w").setDataType(99).build();
        assertThrows(OnnxHapException.class, () -> TensorCodec.decode(unknownType));
    }
}
