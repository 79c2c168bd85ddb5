package ai.onnxhap.tf;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.onnx.ValueInfoProto;

/**
 * The float32 twin of a half-precision model (Caffe2's SqueezeNet in float16, bf16 LLM exports): the same
 * graph with every float16/bfloat16 weight, input, output and cast widened to float32. Hessian traces and
 * gradient steps are computed on the twin (half precision has too few bits for a second derivative); the
 * trained values go back into the original model in its own type, by name, so the output stays half precision.
 */
public final class Float32Twin {
    private Float32Twin() {
    }

    /** The twin, or the same instance when nothing in the model is half precision. */
    public static OnnxModel of(OnnxModel model) {
        if (!hasHalf(model.proto().getGraph())) {
            return model;
        }
        return model.withProto(model.proto().toBuilder().setGraph(widen(model, model.proto().getGraph())).build());
    }

    private static boolean isHalf(int code) {
        return code == DataType.FLOAT16.code() || code == DataType.BFLOAT16.code();
    }

    private static boolean hasHalf(GraphProto g) {
        return g.getInitializerList().stream().anyMatch(t -> isHalf(t.getDataType()))
                || g.getInputList().stream().anyMatch(v -> isHalf(v.getType().getTensorType().getElemType()))
                || g.getOutputList().stream().anyMatch(v -> isHalf(v.getType().getTensorType().getElemType()))
                || g.getNodeList().stream().anyMatch(n -> n.getAttributeList().stream().anyMatch(
                        a -> a.hasT() && isHalf(a.getT().getDataType()) || a.getName().equals("to") && isHalf((int) a.getI())));
    }

    private static GraphProto widen(OnnxModel model, GraphProto g) {
        GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < b.getInitializerCount(); i++) {
            b.setInitializer(i, widen(model, b.getInitializer(i)));
        }
        for (int i = 0; i < b.getInputCount(); i++) {
            b.setInput(i, widen(b.getInput(i)));
        }
        for (int i = 0; i < b.getOutputCount(); i++) {
            b.setOutput(i, widen(b.getOutput(i)));
        }
        for (int i = 0; i < b.getValueInfoCount(); i++) {
            b.setValueInfo(i, widen(b.getValueInfo(i)));
        }
        for (int i = 0; i < b.getNodeCount(); i++) {
            NodeProto.Builder n = b.getNode(i).toBuilder();
            for (int k = 0; k < n.getAttributeCount(); k++) {
                AttributeProto a = n.getAttribute(k);
                if (a.hasT() && isHalf(a.getT().getDataType())) {
                    n.setAttribute(k, a.toBuilder().setT(widen(model, a.getT())));
                } else if ((a.getName().equals("to") || a.getName().equals("dtype")) && isHalf((int) a.getI())) {
                    n.setAttribute(k, a.toBuilder().setI(DataType.FLOAT.code()));
                } else if (a.hasG()) {
                    n.setAttribute(k, a.toBuilder().setG(widen(model, a.getG())));
                }
            }
            b.setNode(i, n);
        }
        return b.build();
    }

    private static TensorProto widen(OnnxModel model, TensorProto t) {
        if (!isHalf(t.getDataType())) {
            return t;
        }
        Tensor v = model.tensor(t);
        return TensorCodec.encode(Tensor.ofFloats(t.getName(), DataType.FLOAT, v.shape(), v.floats()));
    }

    private static ValueInfoProto widen(ValueInfoProto v) {
        if (!v.getType().hasTensorType() || !isHalf(v.getType().getTensorType().getElemType())) {
            return v;
        }
        ValueInfoProto.Builder b = v.toBuilder();
        b.getTypeBuilder().getTensorTypeBuilder().setElemType(DataType.FLOAT.code());
        return b.build();
    }
}
