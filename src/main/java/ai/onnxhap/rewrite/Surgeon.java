package ai.onnxhap.rewrite;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.AttributeEdit;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.graph.deps.ShapeEdit;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.onnx.TensorShapeProto;
import ai.onnxhap.onnx.ValueInfoProto;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Physically removes the units of pruning groups: slices every weight the groups cut, rewrites the shape
 * literals and attributes that count the units, and updates declared shapes. Several groups can cut the same
 * tensor (on different axes, or different windows of one axis); their cuts are merged first, in the
 * original index space, then applied once.
 */
public final class Surgeon {
    /** Units to remove from one group (indices into the group's root dimension). */
    public record Cut(PruningGroup group, int[] removedUnits) {
        public Cut {
            removedUnits = Arrays.stream(removedUnits).sorted().distinct().toArray();
        }
    }

    private Surgeon() {
    }

    /**
     * @param shapes static shapes of the original model's values (the same ones the groups were found with)
     */
    public static OnnxModel apply(OnnxModel model, List<Cut> cuts, Map<String, long[]> shapes) {
        Map<String, TreeSet<Integer>> removed = new HashMap<>();
        for (Cut cut : cuts) {
            PruningGroup g = cut.group();
            if (!g.prunable()) {
                throw OnnxHapException.usage("group " + g.id() + " is not prunable: " + g.reason());
            }
            if (cut.removedUnits().length >= g.units()) {
                throw OnnxHapException.usage("cutting every unit of " + g.id() + " would disconnect the model; keep at least one");
            }
            for (int u : cut.removedUnits()) {
                if (u < 0 || u >= g.units()) {
                    throw OnnxHapException.usage("unit " + u + " is outside group " + g.id() + " (" + g.units() + " units)");
                }
            }
            for (Member m : g.members()) {
                TreeSet<Integer> set = removed.computeIfAbsent(key(m.tensor(), m.axis()), k -> new TreeSet<>());
                for (int i : m.map().removed(cut.removedUnits())) {
                    set.add(i);
                }
            }
        }
        if (removed.values().stream().allMatch(TreeSet::isEmpty)) {
            return model;
        }
        Graph graph = Graph.of(model);
        GraphProto.Builder gb = model.proto().getGraph().toBuilder();
        sliceInitializers(model, gb, removed);
        // Entries per (constant, reader): several groups may edit one shape, and each path gets one copy.
        Map<List<Object>, Map<Integer, Long>> entries = new java.util.LinkedHashMap<>();
        for (Cut cut : cuts) {
            for (ShapeEdit e : cut.group().shapeEdits()) {
                long size = e.form() == ShapeEdit.Form.POSITION
                        ? e.other() - removed.getOrDefault(key(e.value(), e.axis()), new TreeSet<>())
                                .headSet((int) e.other()).size()
                        : e.literalFor(newSize(shapes, removed, e.value(), e.axis()));
                entries.computeIfAbsent(List.of(e.constant(), e.reader(), e.form() == ShapeEdit.Form.FROZEN),
                        k -> new java.util.TreeMap<>()).put(e.element(), size);
            }
        }
        entries.forEach((k, elements) -> {
            if ((Boolean) k.get(2)) {
                freeze(graph, gb, (String) k.get(0), (String) k.get(1), shapes, elements);
            } else {
                setShapeLiteral(graph, gb, (String) k.get(0), (String) k.get(1), elements);
            }
        });
        for (Cut cut : cuts) {
            for (AttributeEdit e : cut.group().attributeEdits()) {
                long size = newSize(shapes, removed, e.value(), e.axis()) / e.divisor();
                Node node = graph.node(e.node()).orElseThrow();
                gb.setNode(node.index(), setIntAttribute(gb.getNode(node.index()), e.attribute(), e.element(), size));
            }
        }
        for (int i = 0; i < gb.getValueInfoCount(); i++) {
            gb.setValueInfo(i, resize(gb.getValueInfo(i), removed, shapes));
        }
        return model.withProto(model.proto().toBuilder().setGraph(gb).build());
    }

    private static String key(String tensor, int axis) {
        return tensor + "#" + axis;
    }

    private static long newSize(Map<String, long[]> shapes, Map<String, TreeSet<Integer>> removed, String value,
                                int axis) {
        return shapes.get(value)[axis] - removed.getOrDefault(key(value, axis), new TreeSet<>()).size();
    }

    private static void sliceInitializers(OnnxModel model, GraphProto.Builder gb, Map<String, TreeSet<Integer>> removed) {
        for (int i = 0; i < gb.getInitializerCount(); i++) {
            TensorProto proto = gb.getInitializer(i);
            Tensor t = null;
            for (int axis = 0; axis < proto.getDimsCount(); axis++) {
                TreeSet<Integer> cut = removed.get(key(proto.getName(), axis));
                if (cut == null || cut.isEmpty()) {
                    continue;
                }
                if (t == null) {
                    t = model.tensor(proto);
                }
                // Removal sets refer to original indices; slicing one axis leaves the others' indices intact.
                int dim = (int) t.dim(axis);
                int[] keep = java.util.stream.IntStream.range(0, dim).filter(x -> !cut.contains(x)).toArray();
                t = t.select(axis, keep);
            }
            if (t != null) {
                gb.setInitializer(i, TensorCodec.encode(t.withName(proto.getName())));
            }
        }
    }

    private static void setShapeLiteral(Graph graph, GraphProto.Builder gb, String constant, String reader,
                                        Map<Integer, Long> elements) {
        boolean shared = graph.consumers(constant).size() > 1;
        String copy = constant + "/pruned/" + reader;
        if (graph.isInitializer(constant)) {
            int idx = initializerIndex(gb, constant);
            Tensor edited = withElements(TensorCodec.decode(gb.getInitializer(idx)), elements);
            if (shared) {
                // Other readers keep the original; this path gets its own copy.
                gb.addInitializer(TensorCodec.encode(edited.withName(copy)));
                rewireReader(graph, gb, reader, constant, copy);
            } else {
                gb.setInitializer(idx, TensorCodec.encode(edited.withName(constant)));
            }
            return;
        }
        Node producer = graph.producer(constant).orElseThrow();
        NodeProto node = gb.getNode(producer.index());
        AttributeProto value = node.getAttributeList().stream().filter(a -> a.getName().equals("value")).findFirst()
                .orElseThrow(() -> OnnxHapException.invalidModel("Constant '" + producer.name() + "' has no tensor value"));
        Tensor edited = withElements(TensorCodec.decode(value.getT()), elements);
        NodeProto.Builder nb = node.toBuilder();
        for (int a = 0; a < nb.getAttributeCount(); a++) {
            if (nb.getAttribute(a).getName().equals("value")) {
                nb.setAttribute(a, value.toBuilder().setT(TensorCodec.encode(edited.withName(value.getT().getName()))));
            }
        }
        if (shared) {
            nb.setOutput(0, copy).setName(node.getName() + "/pruned/" + reader);
            gb.addNode(nb);
            rewireReader(graph, gb, reader, constant, copy);
        } else {
            gb.setNode(producer.index(), nb);
        }
    }

    /** A computed shape value the cut does not change by itself becomes a literal for its reader. */
    private static void freeze(Graph graph, GraphProto.Builder gb, String value, String reader,
                               Map<String, long[]> shapes, Map<Integer, Long> elements) {
        long[] dims = shapes.getOrDefault(value, new long[0]);
        long[] v = new long[Math.toIntExact(Tensor.elementCount(dims))];
        elements.forEach((i, x) -> v[i] = x);
        String name = value + "/frozen/" + reader;
        gb.addInitializer(TensorCodec.encode(Tensor.ofLongs(name, dims, v)));
        rewireReader(graph, gb, reader, value, name);
    }

    private static void rewireReader(Graph graph, GraphProto.Builder gb, String reader, String from, String to) {
        Node r = graph.node(reader).orElseThrow();
        NodeProto.Builder nb = gb.getNode(r.index()).toBuilder();
        for (int i = 0; i < nb.getInputCount(); i++) {
            if (nb.getInput(i).equals(from)) {
                nb.setInput(i, to);
            }
        }
        gb.setNode(r.index(), nb);
    }

    private static int initializerIndex(GraphProto.Builder gb, String name) {
        for (int i = 0; i < gb.getInitializerCount(); i++) {
            if (gb.getInitializer(i).getName().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("no initializer " + name);
    }

    private static Tensor withElements(Tensor t, Map<Integer, Long> elements) {
        long[] v = t.longs().clone();
        elements.forEach((i, x) -> v[i] = x);
        return Tensor.ofLongs(t.name(), t.type(), t.shape(), v);
    }

    private static NodeProto setIntAttribute(NodeProto node, String name, int element, long value) {
        NodeProto.Builder nb = node.toBuilder();
        for (int a = 0; a < nb.getAttributeCount(); a++) {
            if (nb.getAttribute(a).getName().equals(name)) {
                AttributeProto.Builder ab = nb.getAttribute(a).toBuilder();
                nb.setAttribute(a, element < 0 ? ab.setI(value) : ab.setInts(element, value));
            }
        }
        return nb.build();
    }

    private static ValueInfoProto resize(ValueInfoProto v, Map<String, TreeSet<Integer>> removed, Map<String, long[]> shapes) {
        if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return v;
        }
        TensorShapeProto shape = v.getType().getTensorType().getShape();
        TensorShapeProto.Builder sb = shape.toBuilder();
        boolean changed = false;
        for (int axis = 0; axis < shape.getDimCount(); axis++) {
            TreeSet<Integer> cut = removed.get(key(v.getName(), axis));
            if (cut != null && !cut.isEmpty() && shape.getDim(axis).hasDimValue()) {
                sb.setDim(axis, shape.getDim(axis).toBuilder().setDimValue(shape.getDim(axis).getDimValue() - cut.size()));
                changed = true;
            }
        }
        if (!changed) {
            return v;
        }
        ValueInfoProto.Builder b = v.toBuilder();
        b.getTypeBuilder().getTensorTypeBuilder().setShape(sb);
        return b.build();
    }
}
