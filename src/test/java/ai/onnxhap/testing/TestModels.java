package ai.onnxhap.testing;

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
import java.util.Random;

/** Small models built in code, with random weights from a seed, for tests that need exact closed forms. */
public final class TestModels {
    private TestModels() {
    }

    public static Path testdata() {
        return Path.of(System.getProperty("hap.testdata", "testdata"));
    }

    public static ValueInfoProto floatInfo(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            if (d < 0) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
            } else {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    public static Tensor randomFloats(String name, Random rnd, long... dims) {
        float[] v = new float[(int) Tensor.elementCount(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * 0.1f;
        }
        return Tensor.ofFloats(name, dims, v);
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    public static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static ModelProto wrap(GraphProto graph, long opset) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("onnx-hap-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    /** x[n,cin,h,w] → Conv(k, stride, pad, group) → y. */
    public static OnnxModel conv(long n, long cin, long cout, long k, long stride, long pad, long group, long h, long w,
                                 long seed) {
        Random rnd = new Random(seed);
        GraphProto g = GraphProto.newBuilder().setName("conv")
                .addInput(floatInfo("x", n, cin, h, w))
                .addOutput(floatInfo("y"))
                .addInitializer(TensorCodec.encode(randomFloats("W", rnd, cout, cin / group, k, k)))
                .addInitializer(TensorCodec.encode(randomFloats("B", rnd, cout)))
                .addNode(NodeProto.newBuilder().setName("conv0").setOpType("Conv")
                        .addInput("x").addInput("W").addInput("B").addOutput("y")
                        .addAttribute(ints("kernel_shape", k, k))
                        .addAttribute(ints("strides", stride, stride))
                        .addAttribute(ints("pads", pad, pad, pad, pad))
                        .addAttribute(integer("group", group)))
                .build();
        return OnnxModel.of(wrap(g, 13));
    }

    /** x[m,k] → Gemm(W[k,n], b[n]) → Relu → MatMul(V[n,o]) → y. */
    public static OnnxModel mlp(long m, long k, long n, long o, long seed) {
        Random rnd = new Random(seed);
        GraphProto g = GraphProto.newBuilder().setName("mlp")
                .addInput(floatInfo("x", m, k))
                .addOutput(floatInfo("y", m, o))
                .addInitializer(TensorCodec.encode(randomFloats("W", rnd, k, n)))
                .addInitializer(TensorCodec.encode(randomFloats("b", rnd, n)))
                .addInitializer(TensorCodec.encode(randomFloats("V", rnd, n, o)))
                .addNode(NodeProto.newBuilder().setName("fc1").setOpType("Gemm")
                        .addInput("x").addInput("W").addInput("b").addOutput("h"))
                .addNode(NodeProto.newBuilder().setName("act").setOpType("Relu").addInput("h").addOutput("r"))
                .addNode(NodeProto.newBuilder().setName("fc2").setOpType("MatMul")
                        .addInput("r").addInput("V").addOutput("y"))
                .build();
        return OnnxModel.of(wrap(g, 13));
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
