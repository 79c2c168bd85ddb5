package ai.onnxhap.tf;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.TensorProto;
import java.util.HashSet;
import java.util.Set;

/**
 * A fixed-batch model made to take any batch, for training only. CNTK, MXNet, Caffe2 and paddle2onnx write the
 * batch they exported with into the inputs and into Reshape targets ({@code [1, 256]}, {@code [6, -1]}); trained
 * on batches of 64 such a Reshape fails. Each constant Reshape target whose first entry is that batch, on data
 * that flows from the inputs and keeps the batch first, gets 0 there ("copy the input's dimension"): at the
 * exported batch it computes the same, and other batches pass. The written model is untouched.
 */
public final class BatchFree {
    private BatchFree() {
    }

    /** The batch-free twin, or the same instance when the inputs declare no common fixed batch. */
    public static OnnxModel of(OnnxModel model) {
        Graph g = Graph.of(model);
        long batch = fixedBatch(g);
        if (batch <= 0) {
            return model;
        }
        boolean literal = g.nodes().stream().anyMatch(n -> n.opType().equals("Reshape") && n.inputs().size() > 1
                && g.isInitializer(n.input(1)) && g.initializer(n.input(1)).size() > 0
                && g.initializer(n.input(1)).longs()[0] == batch);
        if (!literal) {
            return withOpenBatch(model, g);
        }
        java.util.Map<String, long[]> shapes;
        try {
            java.util.Map<String, long[]> declared = new java.util.LinkedHashMap<>();
            g.inputs().forEach(i -> declared.put(i.name(), i.dims()));
            shapes = ai.onnxhap.validate.OrtShapeOracle.INSTANCE.shapes(model, declared);
        } catch (RuntimeException e) {
            return model; // without shapes nothing is rewritten; training then reports what fails
        }
        Set<String> fromInputs = new HashSet<>();
        g.inputs().forEach(i -> fromInputs.add(i.name()));
        GraphProto.Builder b = model.proto().getGraph().toBuilder();
        boolean changed = false;
        for (Node n : g.nodes()) {
            if (n.inputs().stream().anyMatch(fromInputs::contains)) {
                fromInputs.addAll(n.outputs());
            } else {
                continue;
            }
            if (!n.opType().equals("Reshape") || n.inputs().size() < 2 || !g.isInitializer(n.input(1))
                    || !fromInputs.contains(n.input(0))) {
                continue;
            }
            long[] in = shapes.get(n.input(0));
            Tensor target = g.initializer(n.input(1));
            long[] t = target.longs();
            if (in == null || in.length == 0 || in[0] != batch || t.length == 0 || t[0] != batch
                    || n.attrInt("allowzero", 0) != 0 || g.consumers(n.input(1)).size() != 1) {
                continue;
            }
            t = t.clone();
            t[0] = 0;
            for (int i = 0; i < b.getInitializerCount(); i++) {
                if (b.getInitializer(i).getName().equals(n.input(1))) {
                    TensorProto free = TensorCodec.encode(Tensor.ofLongs(n.input(1), DataType.INT64, target.shape(), t));
                    b.setInitializer(i, free);
                }
            }
            changed = true;
        }
        OnnxModel free = changed ? model.withProto(model.proto().toBuilder().setGraph(b).build()) : model;
        return withOpenBatch(free, Graph.of(free));
    }

    /** The inputs' first dimension made symbolic, so that TF builds its placeholders (and static shapes) open. */
    private static OnnxModel withOpenBatch(OnnxModel model, Graph g) {
        GraphProto.Builder b = model.proto().getGraph().toBuilder();
        Set<String> inputs = new HashSet<>();
        g.inputs().forEach(i -> inputs.add(i.name()));
        for (int i = 0; i < b.getInputCount(); i++) {
            if (inputs.contains(b.getInput(i).getName()) && b.getInput(i).getType().getTensorType().getShape()
                    .getDimCount() > 0) {
                var v = b.getInput(i).toBuilder();
                v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().setDim(0,
                        ai.onnxhap.onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
                b.setInput(i, v);
            }
        }
        b.clearValueInfo(); // exporters' value_info repeats the fixed batch; TF infers what it needs
        return model.withProto(model.proto().toBuilder().setGraph(b).build());
    }

    /** The first dimension every input declares as the same constant; 0 when any input leaves it open. */
    private static long fixedBatch(Graph g) {
        long batch = 0;
        for (Graph.ValueInfo in : g.inputs()) {
            if (in.dims() == null || in.dims().length == 0 || in.dims()[0] <= 0) {
                return 0;
            }
            if (batch != 0 && batch != in.dims()[0]) {
                return 0;
            }
            batch = in.dims()[0];
        }
        return batch;
    }
}
