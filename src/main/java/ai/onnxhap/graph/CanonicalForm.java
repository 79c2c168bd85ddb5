package ai.onnxhap.graph;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.onnx.TensorShapeProto;
import ai.onnxhap.onnx.TypeProto;
import ai.onnxhap.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The storage conventions exporters differ on, brought to one form the analysis reads, and put back on output
 * where the runtime or the model's users depend on them. None of these changes what the model computes.
 * <ul>
 * <li>weights in {@code Constant} nodes (paddle2onnx, spox) become initializers (floating-point tensors of rank 1
 * or more; scalars, shapes and indices stay, as torch.onnx writes them too);</li>
 * <li>initializers also listed as graph inputs (IR &lt; 4: CNTK, MXNet, Caffe2, WinMLTools) leave the input
 * list, and come back on output, with their new shapes;</li>
 * <li>nodes get unique names (Caffe2 leaves them empty; rewrites address nodes by name);</li>
 * <li>nodes are stored in topological order;</li>
 * <li>deprecated {@code ImageScaler} and {@code Crop} (CoreML converters) become the {@code Mul}/{@code Add} and
 * the {@code Slice} they stand for.</li>
 * </ul>
 */
public final class CanonicalForm {
    private CanonicalForm() {
    }

    /** What {@link #of} changed that {@link #restore} puts back: the initializers the file listed as inputs. */
    public record Conventions(long irVersion, List<String> initializersAsInputs) {
        static final Conventions NONE = new Conventions(0, List.of());
    }

    public record Result(OnnxModel model, Conventions conventions) {
    }

    public static Result of(OnnxModel model) {
        GraphProto g = model.proto().getGraph();
        GraphProto.Builder b = g.toBuilder();
        boolean changed = constantsToInitializers(b);
        changed |= imageScalers(b);
        changed |= crops(b, model.opset());
        changed |= nameNodes(b);
        Set<String> initializers = new HashSet<>();
        b.getInitializerList().forEach(t -> initializers.add(t.getName()));
        List<String> listed = new ArrayList<>();
        for (int i = b.getInputCount() - 1; i >= 0; i--) {
            if (initializers.contains(b.getInput(i).getName())) {
                listed.add(0, b.getInput(i).getName());
                b.removeInput(i);
                changed = true;
            }
        }
        OnnxModel canonical = changed ? model.withProto(model.proto().toBuilder().setGraph(b).build()) : model;
        OnnxModel sorted = sorted(canonical);
        Conventions c = listed.isEmpty() ? Conventions.NONE
                : new Conventions(model.proto().getIrVersion(), List.copyOf(listed));
        return new Result(sorted, c);
    }

    /**
     * The model with the file's conventions back: initializers listed as graph inputs again with their current
     * type and shape (under IR &lt; 4 every initializer, as that IR requires; otherwise those the file listed).
     */
    public static OnnxModel restore(OnnxModel model, Conventions c) {
        if (c.initializersAsInputs().isEmpty()) {
            return model;
        }
        GraphProto.Builder b = model.proto().getGraph().toBuilder();
        Map<String, TensorProto> inits = new HashMap<>();
        b.getInitializerList().forEach(t -> inits.put(t.getName(), t));
        Set<String> present = new HashSet<>();
        b.getInputList().forEach(v -> present.add(v.getName()));
        Set<String> wanted = new LinkedHashSet<>(c.initializersAsInputs());
        if (c.irVersion() < 4) {
            b.getInitializerList().forEach(t -> wanted.add(t.getName()));
        }
        for (String name : wanted) {
            TensorProto t = inits.get(name);
            if (t != null && present.add(name)) {
                b.addInput(valueInfo(t));
            }
        }
        return model.withProto(model.proto().toBuilder().setGraph(b).build());
    }

    private static ValueInfoProto valueInfo(TensorProto t) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        t.getDimsList().forEach(d -> shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d)));
        return ValueInfoProto.newBuilder().setName(t.getName()).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(t.getDataType()).setShape(shape))).build();
    }

    /** Top-level Constant nodes holding a tensor or numbers become initializers of the same name. */
    private static boolean constantsToInitializers(GraphProto.Builder b) {
        Set<String> outputs = new HashSet<>();
        b.getOutputList().forEach(o -> outputs.add(o.getName()));
        List<NodeProto> kept = new ArrayList<>();
        List<TensorProto> added = new ArrayList<>();
        for (NodeProto n : b.getNodeList()) {
            TensorProto value = n.getOpType().equals("Constant") && n.getDomain().isEmpty()
                    && n.getOutputCount() == 1 && !outputs.contains(n.getOutput(0)) ? constantValue(n) : null;
            if (value != null && !isWeight(value)) {
                value = null; // scalars, shapes and indices stay where the exporter put them
            }
            if (value == null) {
                kept.add(n);
            } else {
                added.add(value.toBuilder().setName(n.getOutput(0)).build());
            }
        }
        if (added.isEmpty()) {
            return false;
        }
        b.clearNode().addAllNode(kept).addAllInitializer(added);
        return true;
    }

    /** A floating-point tensor of rank 1 or more (a one-channel bias too): what an exporter's weights look like. */
    private static boolean isWeight(TensorProto t) {
        return t.getDimsCount() >= 1 && CostModel.isParameter(t);
    }

    private static TensorProto constantValue(NodeProto n) {
        if (n.getAttributeCount() != 1) {
            return null;
        }
        AttributeProto a = n.getAttribute(0);
        TensorProto.Builder t = TensorProto.newBuilder();
        switch (a.getName()) {
            case "value" -> {
                return a.hasT() && a.getT().getDataLocation() != TensorProto.DataLocation.EXTERNAL ? a.getT() : null;
            }
            case "value_float" -> t.setDataType(DataType.FLOAT.code()).addFloatData(a.getF());
            case "value_floats" -> t.setDataType(DataType.FLOAT.code()).addDims(a.getFloatsCount())
                    .addAllFloatData(a.getFloatsList());
            case "value_int" -> t.setDataType(DataType.INT64.code()).addInt64Data(a.getI());
            case "value_ints" -> t.setDataType(DataType.INT64.code()).addDims(a.getIntsCount())
                    .addAllInt64Data(a.getIntsList());
            default -> {
                return null;
            }
        }
        return t.build();
    }

    /** ImageScaler(x) = scale·x + bias[c] over axis 1: a Mul by a scalar and an Add of a [1, C, 1, 1] bias. */
    private static boolean imageScalers(GraphProto.Builder b) {
        if (b.getNodeList().stream().noneMatch(CanonicalForm::isImageScaler)) {
            return false;
        }
        Map<String, Integer> types = new HashMap<>();
        b.getInputList().forEach(v -> types.put(v.getName(), v.getType().getTensorType().getElemType()));
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto n : b.getNodeList()) {
            if (!isImageScaler(n)) {
                nodes.add(n);
                continue;
            }
            float scale = 1f;
            List<Float> bias = List.of();
            for (AttributeProto a : n.getAttributeList()) {
                if (a.getName().equals("scale")) {
                    scale = a.getF();
                } else if (a.getName().equals("bias")) {
                    bias = a.getFloatsList();
                }
            }
            String base = (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "/";
            // The op is defined for float, float16 and double; the input's declared type decides the constants'.
            int type = types.getOrDefault(n.getInput(0), DataType.FLOAT.code());
            String scaled = base + "scaled";
            b.addInitializer(constant(base + "scale", type, new float[] {scale}, new long[0]));
            if (!bias.isEmpty()) {
                b.addInitializer(constant(base + "bias", type, toArray(bias), new long[] {1, bias.size(), 1, 1}));
            }
            nodes.add(NodeProto.newBuilder().setOpType("Mul").setName(base + "Mul").addInput(n.getInput(0))
                    .addInput(base + "scale").addOutput(bias.isEmpty() ? n.getOutput(0) : scaled).build());
            if (!bias.isEmpty()) {
                nodes.add(NodeProto.newBuilder().setOpType("Add").setName(base + "Add").addInput(scaled)
                        .addInput(base + "bias").addOutput(n.getOutput(0)).build());
            }
        }
        b.clearNode().addAllNode(nodes);
        return true;
    }

    /**
     * Crop(x, border = [left, top, right, bottom], scale = [h, w]) keeps rows top.. and columns left.. of an NCHW
     * tensor: h × w of them when scale is given, else all but the borders. It is the Slice along axes 2 and 3 written
     * in the model's opset (attributes before opset 10, inputs from 10).
     */
    private static boolean crops(GraphProto.Builder b, long opset) {
        if (b.getNodeList().stream().noneMatch(n -> n.getOpType().equals("Crop") && n.getDomain().isEmpty())) {
            return false;
        }
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto n : b.getNodeList()) {
            if (!n.getOpType().equals("Crop") || !n.getDomain().isEmpty()) {
                nodes.add(n);
                continue;
            }
            List<Long> border = List.of(0L, 0L, 0L, 0L);
            List<Long> scale = List.of();
            for (AttributeProto a : n.getAttributeList()) {
                if (a.getName().equals("border")) {
                    border = a.getIntsList();
                } else if (a.getName().equals("scale")) {
                    scale = a.getIntsList();
                }
            }
            if (border.size() != 4 || !scale.isEmpty() && scale.size() != 2) {
                nodes.add(n); // malformed: left for ONNX Runtime to refuse
                continue;
            }
            long left = border.get(0);
            long top = border.get(1);
            long[] starts = {top, left};
            long[] ends = scale.isEmpty()
                    ? new long[] {border.get(3) > 0 ? -border.get(3) : Long.MAX_VALUE, border.get(2) > 0 ? -border.get(2)
                    : Long.MAX_VALUE}
                    : new long[] {top + scale.get(0), left + scale.get(1)};
            long[] axes = {2, 3};
            String base = (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "/";
            NodeProto.Builder slice = NodeProto.newBuilder().setOpType("Slice").setName(base + "Slice")
                    .addInput(n.getInput(0)).addOutput(n.getOutput(0));
            if (opset < 10) {
                slice.addAttribute(Node.ints("starts", starts)).addAttribute(Node.ints("ends", clampInt(ends)))
                        .addAttribute(Node.ints("axes", axes));
            } else {
                String[] names = {"starts", "ends", "axes"};
                long[][] values = {starts, ends, axes};
                for (int k = 0; k < names.length; k++) {
                    String name = base + names[k];
                    b.addInitializer(ai.onnxhap.model.TensorCodec.encode(ai.onnxhap.model.Tensor.ofLongs(name,
                            new long[] {2}, values[k])));
                    slice.addInput(name);
                }
            }
            nodes.add(slice.build());
        }
        b.clearNode().addAllNode(nodes);
        return true;
    }

    /** Slice-1 reads its ends as int64 but ONNX Runtime clamps them; INT_MAX says "to the end" everywhere. */
    private static long[] clampInt(long[] v) {
        long[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.min(out[i], Integer.MAX_VALUE);
        }
        return out;
    }

    private static boolean isImageScaler(NodeProto n) {
        return n.getOpType().equals("ImageScaler") && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** A floating-point constant in the model's own type (float16 stays float16). */
    private static TensorProto constant(String name, int type, float[] values, long[] dims) {
        DataType t = DataType.isKnownCode(type) && DataType.fromCode(type).storage() == DataType.Storage.FLOAT
                ? DataType.fromCode(type) : DataType.FLOAT;
        return ai.onnxhap.model.TensorCodec.encode(ai.onnxhap.model.Tensor.ofFloats(name, t, dims, values));
    }

    /** Empty or repeated node names become unique ones: rewrites find the nodes they change by name. */
    private static boolean nameNodes(GraphProto.Builder b) {
        Set<String> used = new HashSet<>();
        b.getNodeList().forEach(n -> used.add(n.getName()));
        Set<String> seen = new HashSet<>();
        boolean changed = false;
        for (int i = 0; i < b.getNodeCount(); i++) {
            NodeProto n = b.getNode(i);
            if (!n.getName().isEmpty() && seen.add(n.getName())) {
                continue;
            }
            String base = n.getName().isEmpty() ? n.getOpType() + "_" + i : n.getName() + "_" + i;
            String name = base;
            for (int k = 1; used.contains(name); k++) {
                name = base + "_" + k;
            }
            used.add(name);
            seen.add(name);
            b.setNode(i, n.toBuilder().setName(name));
            changed = true;
        }
        return changed;
    }

    /** The same model with its node list in topological order (the order {@link Graph} analyses it in). */
    private static OnnxModel sorted(OnnxModel model) {
        List<Node> order = Graph.of(model).nodes();
        boolean inOrder = true;
        for (int i = 0; i < order.size() && inOrder; i++) {
            inOrder = order.get(i).index() == i;
        }
        if (inOrder) {
            return model;
        }
        GraphProto.Builder b = model.proto().getGraph().toBuilder().clearNode();
        order.forEach(n -> b.addNode(n.proto()));
        return model.withProto(model.proto().toBuilder().setGraph(b).build());
    }
}
