package ai.onnxhap.testing;

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
}
