package ai.onnxhap.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.OperatorSetIdProto;
import ai.onnxhap.onnx.TensorShapeProto;
import ai.onnxhap.onnx.TypeProto;
import ai.onnxhap.onnx.ValueInfoProto;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small models built in tests, and the location of ONNX's backend test data. */
public final class TestModels {
    private TestModels() {
    }

    /** ONNX's backend test data (Debian package libonnx-testdata); tests that need it fail without it. */
    public static Path onnxTestData() {
        Path dir = Path.of(System.getProperty("hap.onnxTestdata", "/usr/share/libonnx-testdata/data"));
        assertTrue(Files.isDirectory(dir.resolve("node")), "ONNX backend test data missing at " + dir
                + "; install the Debian package libonnx-testdata (or set -Dhap.onnxTestdata)");
        return dir;
    }

    /** A tensor value declaration; each dim is a Long (static) or a String (symbolic). */
    public static ValueInfoProto value(String name, DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder b = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                b.setDimParam(s);
            } else {
                b.setDimValue(((Number) d).longValue());
            }
            shape.addDim(b);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code()).setShape(shape))).build();
    }

    public static NodeProto node(String op, String[] inputs, String[] outputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + outputs[0]);
        for (String i : inputs) {
            n.addInput(i);
        }
        for (String o : outputs) {
            n.addOutput(o);
        }
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return n.build();
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static OnnxModel model(GraphProto.Builder graph) {
        return OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph.setName("test")).build());
    }

    /** y = x W + b: x [batch, in], W [in, out] as given row-major, b [out]. */
    public static OnnxModel gemm(int in, int out, float[] w, float[] b) {
        return model(GraphProto.newBuilder()
                .addInput(value("x", DataType.FLOAT, "batch", in))
                .addOutput(value("y", DataType.FLOAT, "batch", out))
                .addInitializer(TensorCodec.encode(Tensor.ofFloats("W", new long[] {in, out}, w)))
                .addInitializer(TensorCodec.encode(Tensor.ofFloats("B", new long[] {out}, b)))
                .addNode(node("Gemm", new String[] {"x", "W", "B"}, new String[] {"y"})));
    }

    /** One-channel image classifier-ish model: input [batch,1,28,28] -> Flatten -> [batch,784]. */
    public static OnnxModel imageModel() {
        return model(GraphProto.newBuilder()
                .addInput(value("input", DataType.FLOAT, "batch", 1, 28, 28))
                .addOutput(value("flat", DataType.FLOAT, "batch", 784))
                .addNode(node("Flatten", new String[] {"input"}, new String[] {"flat"}, integer("axis", 1))));
    }
}
