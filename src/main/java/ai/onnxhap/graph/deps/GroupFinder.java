package ai.onnxhap.graph.deps;

import ai.onnxhap.graph.ConstantFolder;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds pruning groups: starting from every prunable dimension (Conv output channels, Gemm/MatMul output
 * features, attention heads where a Reshape splits features into heads) it spreads the cut through the
 * graph with the {@link OpRules}, in both directions, with a worklist. Each dimension ends up in one group.
 */
public final class GroupFinder {
    /** Ops whose second input is a shape their output takes. */
    private static final Set<String> SHAPED_BY_INPUT_1 = Set.of("Reshape", "Expand", "Tile", "ConstantOfShape",
            "Resize", "Upsample", "Split");
    /** Integer ops through which shape values flow on their way to a Reshape. */
    private static final Set<String> SHAPE_ARITHMETIC = Set.of("Concat", "Unsqueeze", "Squeeze", "Cast", "Identity",
            "Gather", "Div", "Mul", "Add", "Sub", "Slice", "ReduceProd", "Where", "Equal", "Floor", "Ceil");

    private final Graph graph;
    private final Map<String, long[]> shapes;
    private final Map<String, Tensor> folded;

    /** @param shapes static shapes of every value, e.g. from ONNX Runtime shape inference */
    public GroupFinder(Graph graph, Map<String, long[]> shapes) {
        this.graph = graph;
        this.shapes = shapes;
        this.folded = ConstantFolder.fold(graph, shapes);
    }

    public List<PruningGroup> findAll() {
        List<PruningGroup> groups = new ArrayList<>();
        Set<String> claimed = new HashSet<>();
        boolean attention = false;
        List<Root> roots = roots();
        for (Root root : roots) {
            if (claimed.contains(key(root.value, root.axis))) {
                continue;
            }
            Spread s = new Spread(root);
            PruningGroup g = s.run();
            claimed.addAll(s.values.keySet());
            groups.add(g);
            attention |= g.kind() == PruningGroup.Kind.HEAD && g.prunable();
        }
        if (attention) {
            // In a transformer, the hidden units of Gemm/MatMul pairs are the feed-forward neurons.
            groups.replaceAll(g -> g.kind() == PruningGroup.Kind.NEURON && g.prunable()
                    ? relabel(g, PruningGroup.Kind.FFN) : g);
        }
        return groups;
    }

    private static PruningGroup relabel(PruningGroup g, PruningGroup.Kind kind) {
        return new PruningGroup(g.id().replace("/neurons", "/ffn"), kind, g.rootNode(), g.units(), g.members(),
                g.shapeEdits(), g.attributeEdits(), g.prunable(), g.reason(), g.exact());
    }

    /** Where a group starts: a dimension, and how its indices form units (one each, or a head's block). */
    private record Root(Node node, String value, int axis, PruningGroup.Kind kind, String what, int units,
                        int unitSize) {
        Root(Node node, String value, int axis, PruningGroup.Kind kind, String what) {
            this(node, value, axis, kind, what, -1, 1);
        }
    }

    private List<Root> roots() {
        List<Root> roots = new ArrayList<>();
        for (Node n : graph.nodes()) {
            String out = n.output(0);
            long[] s = shape(out);
            if (s == null && !Set.of("LSTM", "GRU", "RNN").contains(n.opType())) {
                continue;
            }
            switch (n.opType()) {
                case "Conv" -> {
                    long[] w = shape(n.input(1));
                    boolean depthwise = n.attrInt("group", 1) > 1;
                    if (!depthwise && w != null && graph.isInitializer(n.input(1))) {
                        roots.add(new Root(n, out, 1, PruningGroup.Kind.CHANNEL, "channels"));
                    }
                }
                case "ConvTranspose" -> roots.add(new Root(n, out, 1, PruningGroup.Kind.CHANNEL, "channels"));
                case "Gemm" -> {
                    if (graph.isInitializer(n.input(1))) {
                        roots.add(new Root(n, out, 1, PruningGroup.Kind.NEURON, "neurons"));
                    }
                }
                case "MatMul" -> {
                    long[] w = shape(n.input(1));
                    if (graph.isInitializer(n.input(1)) && w != null && w.length == 2) {
                        roots.add(new Root(n, out, s.length - 1, PruningGroup.Kind.NEURON, "neurons"));
                    }
                }
                case "Reshape" -> {
                    long[] in = shape(n.input(0));
                    // [..., E] → [..., H, D]: the H axis holds attention heads.
                    if (in != null && s.length == in.length + 1 && s.length >= 3
                            && s[s.length - 2] > 1 && s[s.length - 1] > 1
                            && in[in.length - 1] == s[s.length - 2] * s[s.length - 1]) {
                        roots.add(new Root(n, out, s.length - 2, PruningGroup.Kind.HEAD, "heads"));
                    }
                }
                case "LSTM", "GRU", "RNN" -> {
                    // Hidden units: Y [S, dirs, B, H] axis 3, or Y_h [dirs, B, H] axis 2 when Y is unused.
                    if (n.domain().isEmpty()) {
                        boolean useY = !out.isEmpty();
                        String v = useY ? out : n.outputs().size() > 1 ? n.output(1) : "";
                        if (!v.isEmpty() && shape(v) != null) {
                            roots.add(new Root(n, v, useY ? 3 : 2, PruningGroup.Kind.RNN_UNIT, "units"));
                        }
                    }
                }
                case "Attention", "MultiHeadAttention" -> {
                    if (n.domain().equals("com.microsoft") && s.length == 3) {
                        int heads = (int) n.attrInt("num_heads", 1);
                        roots.add(new Root(n, out, 2, PruningGroup.Kind.HEAD, "heads", heads, (int) (s[2] / heads)));
                    }
                }
                default -> { }
            }
        }
        return roots;
    }

    private long[] shape(String value) {
        long[] s = shapes.get(value);
        if (s != null) {
            return s;
        }
        return graph.declared(value).filter(Graph.ValueInfo::isStatic).map(Graph.ValueInfo::dims).orElse(null);
    }

    private static String key(String value, int axis) {
        return value + "#" + axis;
    }

    /** One group's growth from its root. */
    private final class Spread implements Propagation {
        private final Root root;
        private final Map<String, IndexMap> values = new LinkedHashMap<>();
        private final Map<String, Member> members = new LinkedHashMap<>();
        private final Map<String, ShapeEdit> shapeEdits = new LinkedHashMap<>();
        private final Map<String, AttributeEdit> attributeEdits = new LinkedHashMap<>();
        private final Set<String> applied = new HashSet<>();
        private final Deque<Member> work = new ArrayDeque<>();
        private final List<String> inexact = new ArrayList<>();
        /** Shape outputs that read a cut axis, with that axis (-1: several or unknown). */
        private final Map<String, Integer> shapeReads = new LinkedHashMap<>();
        private boolean twoOperandMatMul;

        Spread(Root root) {
            this.root = root;
        }

        PruningGroup run() {
            int units = root.units > 0 ? root.units : (int) shape(root.value)[root.axis];
            String id = root.node.name() + "/" + root.what;
            String reason = null;
            try {
                value(root.value, root.axis, IndexMap.identity(units).expand(root.unitSize));
                while (!work.isEmpty()) {
                    Member m = work.poll();
                    // The latest view: a merge may have widened the map since this item was queued.
                    visit(m.tensor(), m.axis(), values.get(key(m.tensor(), m.axis())));
                }
                checkShapesStayInside();
                if (root.kind == PruningGroup.Kind.HEAD && !twoOperandMatMul) {
                    throw notPrunable("the split at '" + root.node.name() + "' does not feed attention");
                }
            } catch (NotPrunable e) {
                reason = e.getMessage();
            }
            List<Member> all = new ArrayList<>();
            values.forEach((k, map) -> all.add(new Member(k.substring(0, k.lastIndexOf('#')),
                    Integer.parseInt(k.substring(k.lastIndexOf('#') + 1)), Member.Role.VALUE, map)));
            all.addAll(members.values());
            return new PruningGroup(id, root.kind, root.node.name(), units, all, List.copyOf(shapeEdits.values()),
                    List.copyOf(attributeEdits.values()), reason == null, reason, inexact.isEmpty() && reason == null);
        }

        /**
         * A rewritten literal, or a run-time size read from a cut axis, must only shape values of this group:
         * exporters share shape tensors between Reshapes (Q and K of one attention) and compute head sizes from
         * a neighbour's Shape, and a Reshape outside the group would then break.
         */
        private void checkShapesStayInside() {
            Set<String> cutValues = new HashSet<>();
            values.keySet().forEach(k -> cutValues.add(k.substring(0, k.lastIndexOf('#'))));
            Map<String, Integer> starts = new LinkedHashMap<>();
            shapeEdits.values().forEach(e -> starts.put(e.constant(), -1));
            starts.putAll(shapeReads);
            for (Map.Entry<String, Integer> start : starts.entrySet()) {
                Deque<String> pending = new ArrayDeque<>(List.of(start.getKey()));
                Set<String> seen = new HashSet<>();
                while (!pending.isEmpty()) {
                    String v = pending.poll();
                    if (!seen.add(v)) {
                        continue;
                    }
                    for (Node n : graph.consumers(v)) {
                        int at = n.inputs().indexOf(v);
                        if (at == 1 && SHAPED_BY_INPUT_1.contains(n.opType())
                                || at == 0 && n.opType().equals("ConstantOfShape")) {
                            if (n.outputs().stream().noneMatch(cutValues::contains)) {
                                throw notPrunable("the cut changes the shape '" + v + "' that also shapes '"
                                        + n.output(0) + "', which the cut does not reach");
                            }
                        } else if (n.opType().equals("Gather") && at == 0 && start.getValue() >= 0
                                && v.equals(start.getKey()) && !gathers(n, start.getValue())) {
                            continue; // picks other dimensions of the Shape than the cut one
                        } else if (SHAPE_ARITHMETIC.contains(n.opType())) {
                            pending.add(n.output(0));
                        }
                    }
                }
            }
        }

        private boolean gathers(Node gather, int axis) {
            Tensor idx = folded.get(gather.input(1));
            if (idx == null) {
                return true;
            }
            for (long i : idx.longs()) {
                if (i == axis) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void shapeRead(Node shapeNode, int axis) {
            if (!shapeNode.opType().equals("Shape") || shapeNode.hasAttribute("start") || shapeNode.hasAttribute("end")) {
                shapeReads.put(shapeNode.output(0), -1);
            } else {
                shapeReads.merge(shapeNode.output(0), axis, (a, b) -> a.equals(b) ? a : -1);
            }
        }

        private void visit(String value, int axis, IndexMap map) {
            if (graph.isOutput(value)) {
                throw notPrunable("it reaches the model output '" + value + "'");
            }
            if (graph.inputs().stream().anyMatch(i -> i.name().equals(value))) {
                throw notPrunable("it reaches the model input '" + value + "'");
            }
            List<Node> touching = new ArrayList<>();
            graph.producer(value).ifPresent(touching::add);
            touching.addAll(graph.consumers(value));
            for (Node n : touching) {
                if (!applied.add(n.name() + "|" + value + "|" + axis)) {
                    continue;
                }
                Optional<OpRule> rule = OpRules.forNode(n);
                if (rule.isEmpty()) {
                    throw notPrunable("op " + (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType() + " ('"
                            + n.name() + "') has no pruning rule");
                }
                if (n.opType().equals("MatMul") && !graph.isInitializer(n.input(0))
                        && !graph.isInitializer(n.input(1)) || n.domain().equals("com.microsoft")) {
                    twoOperandMatMul = true;
                }
                rule.get().propagate(n, value, axis, map, this);
            }
        }

        @Override
        public long[] shape(String value) {
            return GroupFinder.this.shape(value);
        }

        @Override
        public boolean isInitializer(String name) {
            return graph.isInitializer(name);
        }

        @Override
        public long opset() {
            return graph.opset("");
        }

        @Override
        public Tensor constant(String value) {
            return folded.get(value);
        }

        @Override
        public void value(String value, int axis, IndexMap map) {
            if (isInitializer(value)) {
                parameter(value, axis, map, Member.Role.THROUGH);
                return;
            }
            String k = key(value, axis);
            IndexMap seen = values.get(k);
            if (seen != null) {
                IndexMap merged = seen.merge(map);
                if (merged == null) {
                    throw notPrunable("'" + value + "' would be cut two different ways (a channel shuffle?)");
                }
                if (merged.equals(seen)) {
                    return;
                }
                // A fuller view of this axis than before: spread it again.
                map = merged;
                applied.removeIf(a -> a.endsWith("|" + value + "|" + axis));
            }
            values.put(k, map);
            work.add(new Member(value, axis, Member.Role.VALUE, map));
        }

        @Override
        public void parameter(String initializer, int axis, IndexMap map, Member.Role role) {
            int readers = graph.consumers(initializer).size();
            if (readers > 1) {
                throw notPrunable("weight '" + initializer + "' is shared by " + readers + " nodes");
            }
            String k = key(initializer, axis);
            Member seen = members.get(k);
            IndexMap merged = seen == null ? map : seen.map().merge(map);
            if (merged == null) {
                throw notPrunable("weight '" + initializer + "' would be cut two different ways");
            }
            members.put(k, new Member(initializer, axis, seen == null ? role : seen.role(), merged));
        }

        @Override
        public void shapeEntry(Node node, int shapeInput, int element, String value, int axis) {
            ShapeLiterals.trace(graph, node.input(shapeInput), element, this)
                    .ifPresent(e -> shapeEdits.putIfAbsent(e.constant() + "@" + e.element(),
                            new ShapeEdit(e.constant(), e.reader(), e.element(), value, axis)));
        }

        @Override
        public void attributeEdit(AttributeEdit edit) {
            attributeEdits.putIfAbsent(edit.node() + "." + edit.attribute() + "[" + edit.element() + "]", edit);
        }

        @Override
        public void inexact(String why) {
            inexact.add(why);
        }

        @Override
        public NotPrunable notPrunable(String reason) {
            return new NotPrunable(reason);
        }
    }
}
