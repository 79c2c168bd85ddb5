package ai.onnxhap.graph;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.TypeProto;
import ai.onnxhap.onnx.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The part of a model that training, Hessian scoring and accuracy read: the graph up to one floating-point tensor,
 * the logits where the exporter put a Softmax at the end. Exporters append what a differentiable loss cannot use:
 * Keras and Caffe2 end in Softmax (cross-entropy of probabilities has vanishing gradients), and CoreML/WinMLTools
 * classifiers turn the probabilities into a ZipMap sequence of maps and a label via ArrayFeatureExtractor. The
 * written model keeps all of it; only the analysis looks at this part.
 *
 * @param model  the model cut down to the nodes {@code output} needs, with {@code output} its only graph output
 *               (the same instance when nothing was cut)
 * @param output the value trained and compared: the first floating-point tensor output, or the tensor a ZipMap
 *               reads, taken back through a final Softmax/LogSoftmax of a rank-2 output
 */
public record TensorPart(OnnxModel model, String output) {

    public static TensorPart of(OnnxModel model) {
        Graph g = Graph.of(model);
        String out = null;
        boolean rank2 = false;
        for (Graph.ValueInfo o : g.outputs()) {
            if (o.type() != null && o.type().storage() == DataType.Storage.FLOAT && o.dims() != null) {
                out = o.name();
                rank2 = o.dims().length == 2;
                break;
            }
        }
        if (out == null) {
            for (Graph.ValueInfo o : g.outputs()) {
                var zipMap = g.producer(o.name()).filter(n -> n.opType().equals("ZipMap"));
                if (zipMap.isPresent()) {
                    out = zipMap.get().input(0);
                    rank2 = true; // ZipMap reads [N, C]
                    break;
                }
            }
        }
        if (out == null) {
            // A float output with no declared shape, as some converters write.
            out = g.outputs().stream().filter(o -> o.type() != null && o.type().storage() == DataType.Storage.FLOAT)
                    .map(Graph.ValueInfo::name).findFirst().orElseThrow(() -> OnnxHapException.usage(
                            "the model has no floating-point tensor output to train or compare on (outputs: "
                                    + String.join(", ", g.outputs().stream().map(Graph.ValueInfo::name).toList()) + ")"));
        }
        var last = g.producer(out);
        if (rank2 && last.isPresent() && (last.get().opType().equals("Softmax")
                || last.get().opType().equals("LogSoftmax")) && last.get().domain().isEmpty()
                && softmaxOverClasses(last.get(), g.opset(""))) {
            out = last.get().input(0);
        }
        boolean isOnlyOutput = g.outputs().size() == 1 && g.outputs().get(0).name().equals(out);
        return new TensorPart(isOnlyOutput ? model : cut(model, g, out), out);
    }

    /** Over the last axis of a [N, C] tensor: the default axis (1 before opset 13, -1 after) or an explicit 1/-1. */
    private static boolean softmaxOverClasses(Node softmax, long opset) {
        long axis = softmax.proto().getAttributeList().stream().filter(a -> a.getName().equals("axis"))
                .mapToLong(a -> a.getI()).findFirst().orElse(opset < 13 ? 1 : -1);
        return axis == 1 || axis == -1;
    }

    private static OnnxModel cut(OnnxModel model, Graph g, String output) {
        Set<String> needed = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(output));
        Set<String> keep = new HashSet<>();
        while (!pending.isEmpty()) {
            String v = pending.poll();
            if (!needed.add(v)) {
                continue;
            }
            g.producer(v).ifPresent(n -> {
                if (keep.add(n.name())) {
                    pending.addAll(Graph.requiredValues(n));
                }
            });
        }
        GraphProto.Builder b = model.proto().getGraph().toBuilder().clearNode().clearOutput();
        for (Node n : g.nodes()) {
            if (keep.contains(n.name())) {
                b.addNode(n.proto());
            }
        }
        int type = g.declared(output).map(Graph.ValueInfo::type).map(DataType::code).orElse(DataType.FLOAT.code());
        b.addOutput(ValueInfoProto.newBuilder().setName(output)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type))));
        return model.withProto(model.proto().toBuilder().setGraph(b).build());
    }
}
