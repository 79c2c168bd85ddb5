package ai.onnxhap.validate;

import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Exact static shapes of every value in a model's main graph, measured rather than inferred: a copy of
 * the model in which every node output is also a graph output runs once in ONNX Runtime, with graph
 * optimizations off so that no value is fused away.
 */
public final class OrtShapeInference {
    private OrtShapeInference() {
    }

    /** A tensor value's element type and concrete shape. */
    public record ValueShape(DataType type, long[] dims) {
        public ValueShape {
            dims = dims.clone();
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }

        public int rank() {
            return dims.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ValueShape v && v.type == type && Arrays.equals(v.dims, dims);
        }

        @Override
        public int hashCode() {
            return 31 * type.hashCode() + Arrays.hashCode(dims);
        }

        @Override
        public String toString() {
            return ModelInputs.typeName(type) + ModelInputs.shapeString(dims);
        }
    }

    /** Shapes for one random sample (batch 1; other dynamic dimensions 1). */
    public static Map<String, ValueShape> infer(OnnxModel model) {
        return infer(model, Map.of());
    }

    /**
     * Shapes for one random sample ({@link ModelInputs#randomSample}): static dimensions as declared, dynamic
     * ones (the batch included) from {@code dimOverrides} by symbolic name, else 1.
     */
    public static Map<String, ValueShape> infer(OnnxModel model, Map<String, Long> dimOverrides) {
        return inferOn(model, ModelInputs.randomSample(model, dimOverrides, 0));
    }

    /**
     * Shapes for the given inputs (keyed by input name): the inputs themselves and every node output of the
     * main graph. Values that are not tensors (sequences, maps, optionals) are left out.
     */
    public static Map<String, ValueShape> inferOn(OnnxModel model, Map<String, Tensor> sample) {
        OnnxModel probe = model.withProto(everyValueAnOutput(model.proto()));
        OrtModel.Options options = OrtModel.Options.defaults().withOptimization(OrtModel.Optimization.NONE);
        Map<String, ValueShape> shapes = new LinkedHashMap<>();
        sample.forEach((k, t) -> shapes.put(k, new ValueShape(t.type(), t.shape())));
        try (OrtModel ort = OrtModel.open(probe, options)) {
            try {
                shapes.putAll(ort.runSession(sample, (name, value) -> value instanceof OnnxTensor t
                        ? new ValueShape(OrtModel.typeOf(t.getInfo()), t.getInfo().getShape()) : null));
            } catch (OnnxHapException e) {
                if (e.getCause() instanceof OrtException ort2) {
                    throw new RunFailed(e, briefly(OrtModel.message(ort2)));
                }
                throw e;
            }
        }
        return Collections.unmodifiableMap(shapes);
    }

    /**
     * ONNX Runtime loaded the model but failed running it on the given inputs (as opposed to refusing the
     * model itself); {@link #reason()} is its message cut to the innermost failing node.
     */
    public static final class RunFailed extends OnnxHapException {
        private final String reason;

        RunFailed(OnnxHapException failure, String reason) {
            super(failure.code(), failure.getMessage(), failure.getCause());
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private static final Pattern NODE_FAILURE =
            Pattern.compile("running (\\S+) node\\. Name:'([^']*)' Status Message: ");

    /**
     * ORT nests the message of a node failing inside an If or Loop in one "Non-zero status code returned while
     * running X node" per level: keep the innermost node and its message.
     */
    static String briefly(String message) {
        Matcher m = NODE_FAILURE.matcher(message);
        int end = -1;
        String op = null;
        String node = null;
        while (m.find()) {
            op = m.group(1);
            node = m.group(2);
            end = m.end();
        }
        return end < 0 ? message : op + " node '" + node + "': " + message.substring(end).trim();
    }

    /**
     * The model with every node output added as a graph output. Name-only outputs are enough for ONNX
     * Runtime, which infers their types; declaring a type that disagrees would fail the load instead.
     */
    static ModelProto everyValueAnOutput(ModelProto proto) {
        GraphProto g = proto.getGraph();
        Set<String> outputs = new HashSet<>();
        g.getOutputList().forEach(o -> outputs.add(o.getName()));
        GraphProto.Builder b = g.toBuilder();
        for (NodeProto node : g.getNodeList()) {
            for (String out : node.getOutputList()) {
                if (!out.isEmpty() && outputs.add(out)) {
                    b.addOutput(ValueInfoProto.newBuilder().setName(out));
                }
            }
        }
        return proto.toBuilder().setGraph(b).build();
    }
}
