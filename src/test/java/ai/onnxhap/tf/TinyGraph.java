package ai.onnxhap.tf;

import static ai.onnxhap.testing.TestModels.value;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.OperatorSetIdProto;
import ai.onnxhap.onnx.TypeProto;
import ai.onnxhap.onnx.ValueInfoProto;
import java.util.Map;
import java.util.Random;

/**
 * Small ONNX graphs written op by op in tests, the way exporters write them: every value gets a fresh name,
 * weights are random initializers from one seed, integer operands (axes, shapes, indices) are initializers.
 */
final class TinyGraph {
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("tiny");
    private final Random rnd;
    private int counter;

    TinyGraph(long seed) {
        rnd = new Random(seed);
    }

    /** A graph input; each dim a Long or a String (symbolic). */
    String input(String name, DataType type, Object... dims) {
        graph.addInput(value(name, type, dims));
        return name;
    }

    /** Marks {@code value} as a graph output of type {@code type}, its shape left to the runtimes. */
    void output(String value, DataType type) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(value).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code()))));
    }

    /** A trainable weight: Gaussian values of standard deviation {@code scale}. */
    String weight(String name, double scale, long... dims) {
        float[] v = new float[Math.toIntExact(Tensor.elementCount(dims))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        return floats(name, dims, v);
    }

    String floats(String name, long[] dims, float... values) {
        graph.addInitializer(TensorCodec.encode(Tensor.ofFloats(name, dims, values)));
        return name;
    }

    /** A float scalar constant (an initializer of one element stays a constant in TF). */
    String scalar(float value) {
        return floats(fresh("c"), new long[0], value);
    }

    /** An int64 vector constant. */
    String longs(long... values) {
        String name = fresh("i");
        graph.addInitializer(TensorCodec.encode(Tensor.ofLongs(name, new long[] {values.length}, values)));
        return name;
    }

    /** An int64 scalar constant. */
    String longScalar(long value) {
        String name = fresh("s");
        graph.addInitializer(TensorCodec.encode(Tensor.ofLongs(name, new long[0], new long[] {value})));
        return name;
    }

    /** A constant of any type, e.g. a bool mask buffer. */
    String constant(Tensor t) {
        String name = fresh("k");
        graph.addInitializer(TensorCodec.encode(t.withName(name)));
        return name;
    }

    /** One node of the default domain with one output; returns the output's name. */
    String op(String type, String[] inputs, AttributeProto... attrs) {
        return ops(type, 1, inputs, attrs)[0];
    }

    String op(String type, String input, AttributeProto... attrs) {
        return op(type, new String[] {input}, attrs);
    }

    String[] ops(String type, int outputs, String[] inputs, AttributeProto... attrs) {
        return node("", type, outputs, inputs, attrs);
    }

    /** One node of {@code domain} (e.g. com.microsoft). */
    String[] node(String domain, String type, int outputs, String[] inputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setDomain(domain).setName(fresh(type));
        for (String in : inputs) {
            n.addInput(in);
        }
        String[] outs = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            outs[i] = fresh(type.toLowerCase() + "_out");
            n.addOutput(outs[i]);
        }
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return outs;
    }

    static String[] in(String... names) {
        return names;
    }

    static AttributeProto f(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    private String fresh(String prefix) {
        return prefix + "_" + counter++;
    }

    /** A model and the inputs to run it on. */
    record Built(OnnxModel model, Map<String, Tensor> inputs) {
    }

    Built built(long opset, Map<String, Tensor> inputs, String... extraDomains) {
        return new Built(model(opset, extraDomains), inputs);
    }

    /** The model at {@code opset}, importing {@code extraDomains} at version 1 (com.microsoft). */
    OnnxModel model(long opset, String... extraDomains) {
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8).setProducerName("onnx-hap-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
        for (String d : extraDomains) {
            m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(1));
        }
        return OnnxModel.of(m.setGraph(graph.build()).build());
    }
}
