package ai.onnxhap.graph.deps;

import ai.onnxhap.graph.ConstantFolder;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
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

    /** Ops that make a Gemm/MatMul pair a feed-forward block (Erf: GELU; Sigmoid: SiLU; Tanh: GPT-2's GELU). */
    private static final Set<String> ACTIVATIONS = Set.of("Relu", "Gelu", "Erf", "Sigmoid", "Tanh", "FastGelu",
            "BiasGelu", "QuickGelu", "HardSigmoid", "HardSwish", "LeakyRelu", "Elu", "Selu", "Softplus", "Mish", "Clip");

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
        // Values of prunable groups are taken; a root inside a refused group is still tried, since a root
        // nearer its units (a KV head behind a query head's refusal) may succeed where the other failed.
        Set<String> taken = new HashSet<>();
        Set<String> refusedArea = new HashSet<>();
        boolean attention = false;
        for (Root root : roots()) {
            String rootKey = key(root.value, root.axis);
            if (taken.contains(rootKey)) {
                continue;
            }
            Spread s = new Spread(root);
            PruningGroup g = s.run();
            if (g.prunable()) {
                taken.addAll(s.values.keySet());
            } else if (refusedArea.contains(rootKey)) {
                continue; // the refusal that covers this root is already reported
            } else {
                refusedArea.addAll(s.values.keySet());
            }
            groups.add(g);
            attention |= (g.kind() == PruningGroup.Kind.HEAD || g.kind() == PruningGroup.Kind.KV_GROUP) && g.prunable();
        }
        // A refusal whose units another group prunes (a projection's columns pruned as heads) is not news.
        groups.removeIf(g -> !g.prunable() && rootMember(g).map(taken::contains).orElse(false));
        if (attention) {
            // In a transformer, hidden units of Gemm/MatMul pairs with an activation between are feed-forward
            // neurons (a value projection's head size is not).
            groups.replaceAll(g -> g.kind() == PruningGroup.Kind.NEURON && g.prunable() && activated(g)
                    ? relabel(g, PruningGroup.Kind.FFN) : g);
        }
        return groups;
    }

    private boolean activated(PruningGroup g) {
        return g.members().stream().filter(m -> !m.isParameter())
                .flatMap(m -> graph.producer(m.tensor()).stream())
                .anyMatch(n -> ACTIVATIONS.contains(n.opType()));
    }

    private static Optional<String> rootMember(PruningGroup g) {
        return g.members().stream().filter(m -> !m.isParameter()).findFirst().map(m -> key(m.tensor(), m.axis()));
    }

    private static PruningGroup relabel(PruningGroup g, PruningGroup.Kind kind) {
        return new PruningGroup(g.id().replace("/neurons", "/ffn"), kind, g.rootNode(), g.units(), g.members(),
                g.shapeEdits(), g.attributeEdits(), g.prunable(), g.reason(), g.exact());
    }

    /** Where a group starts: a dimension, and how its indices form units (one each, or a head's block). */
    private record Root(Node node, String value, int axis, PruningGroup.Kind kind, String what, IndexMap map) {
        Root(Node node, String value, int axis, PruningGroup.Kind kind, String what) {
            this(node, value, axis, kind, what, null);
        }
    }

    /** Heads first: a projection's columns are better seen as heads than as neurons. */
    private List<Root> roots() {
        List<Root> roots = new ArrayList<>(candidateRoots());
        roots.sort(java.util.Comparator.comparing(r -> r.kind() != PruningGroup.Kind.HEAD
                && r.kind() != PruningGroup.Kind.KV_GROUP));
        return roots;
    }

    private List<Root> candidateRoots() {
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
                    // [..., E] → [..., H, D], or a packed projection [..., k·E] → [..., k, H, D] (timm's qkv):
                    // the H axis holds attention heads.
                    int extra = in == null ? 0 : s.length - in.length;
                    if (in != null && (extra == 1 || extra == 2) && s.length >= 3
                            && s[s.length - 2] > 1 && s[s.length - 1] > 1
                            && in[in.length - 1] == s[s.length - 2] * s[s.length - 1] * (extra == 2 ? s[s.length - 3] : 1)
                            && Arrays.equals(Arrays.copyOf(in, in.length - 1), Arrays.copyOf(s, in.length - 1))) {
                        roots.add(new Root(n, out, s.length - 2, PruningGroup.Kind.HEAD, "heads"));
                    } else if (in != null && extra == 0 && s.length >= 3 && s[s.length - 1] > 1
                            && in[in.length - 1] % s[s.length - 1] == 0 && in[in.length - 1] > s[s.length - 1]
                            && s[s.length - 2] == in[in.length - 2] * (in[in.length - 1] / s[s.length - 1])) {
                        // [.., B, H·D] → [.., B·H, D]: nn.MultiheadAttention folds heads into the batch axis.
                        int heads = (int) (in[in.length - 1] / s[s.length - 1]);
                        int batch = (int) in[in.length - 2];
                        int[][] idx = new int[heads][batch];
                        for (int h = 0; h < heads; h++) {
                            for (int b = 0; b < batch; b++) {
                                idx[h][b] = b * heads + h;
                            }
                        }
                        roots.add(new Root(n, out, s.length - 2, PruningGroup.Kind.HEAD, "heads", IndexMap.of(idx)));
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
                case "GroupQueryAttention" -> {
                    if (n.domain().equals("com.microsoft") && s.length == 3) {
                        int heads = (int) n.attrInt("num_heads", 1);
                        int kv = (int) n.attrInt("kv_num_heads", heads);
                        int d = (int) (s[2] / heads);
                        boolean grouped = heads > kv;
                        roots.add(new Root(n, out, 2, grouped ? PruningGroup.Kind.KV_GROUP : PruningGroup.Kind.HEAD,
                                grouped ? "kv-groups" : "heads", IndexMap.identity(kv).expand(d * (heads / kv))));
                    }
                }
                case "Attention", "MultiHeadAttention" -> {
                    if (n.domain().equals("com.microsoft") && s.length == 3) {
                        int heads = (int) n.attrInt("num_heads", 1);
                        roots.add(new Root(n, out, 2, PruningGroup.Kind.HEAD, "heads",
                                IndexMap.identity(heads).expand((int) (s[2] / heads))));
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

    private record ComputedEntry(ShapeLiterals.Computed entry, String value, int axis) {
    }

    private record ComputedPosition(String node, ShapeLiterals.Computed entry, String value, int axis, long position) {
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
        /** Reductions over the cut axis met on the way: only a hidden-width group may shrink them. */
        private final List<String> statistics = new ArrayList<>();
        /** Shape outputs that read a cut axis, with that axis (-1: several or unknown). */
        private final Map<String, Integer> shapeReads = new LinkedHashMap<>();
        private final Map<String, ComputedEntry> computedEntries = new LinkedHashMap<>();
        private final List<ComputedPosition> computedPositions = new ArrayList<>();
        private boolean twoOperandMatMul;
        private boolean sharedHeads;

        Spread(Root root) {
            this.root = root;
        }

        PruningGroup run() {
            IndexMap start = root.map != null ? root.map : IndexMap.identity((int) shape(root.value)[root.axis]);
            int units = start.units();
            String id = root.node.name() + "/" + root.what;
            String reason = null;
            try {
                value(root.value, root.axis, start);
                while (!work.isEmpty()) {
                    Member m = work.poll();
                    // The latest view: a merge may have widened the map since this item was queued.
                    visit(m.tensor(), m.axis(), values.get(key(m.tensor(), m.axis())));
                }
                if (!statistics.isEmpty() && root.kind != PruningGroup.Kind.NEURON
                        && root.kind != PruningGroup.Kind.CHANNEL) {
                    throw notPrunable(statistics.get(0));
                }
                resolveComputedEntries();
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
            PruningGroup.Kind kind = root.kind;
            if (kind == PruningGroup.Kind.HEAD && sharedHeads) {
                kind = PruningGroup.Kind.KV_GROUP;
                id = root.node.name() + "/kv-groups";
            } else if (kind == PruningGroup.Kind.NEURON && !inexact.isEmpty() || !statistics.isEmpty() && reason == null) {
                kind = PruningGroup.Kind.HIDDEN;
                id = root.node.name() + "/hidden";
            }
            return new PruningGroup(id, kind, root.node.name(), units, all, List.copyOf(shapeEdits.values()),
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
            // An edited entry changes only along its reader's path (a shared constant is copied for it).
            shapeEdits.values().forEach(e -> starts.put(graph.node(e.reader()).orElseThrow().output(0), -1));
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
            if (!graph.subgraphReaders(value).isEmpty()) {
                Node reader = graph.subgraphReaders(value).get(0);
                throw notPrunable("'" + value + "' is read inside a subgraph of " + reader.opType() + " ('"
                        + reader.name() + "'), which the analysis does not follow");
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
                        && !graph.isInitializer(n.input(1)) || n.domain().equals("com.microsoft")
                        && n.opType().endsWith("Attention")) {
                    twoOperandMatMul = true;
                    long[] s = shape(value);
                    // A unit that owns several heads of Q·Kᵀ: one key/value head shared by a query group.
                    if (n.opType().equals("MatMul") && s != null && axis < s.length - 2 && map.units() > 0
                            && map.of(0).length > 1) {
                        sharedHeads = true;
                    }
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
        public Tensor known(String value) {
            return graph.isInitializer(value) ? graph.initializer(value) : folded.get(value);
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
                    throw notPrunable("'" + value + "' would be cut two different ways: its units are permuted on the"
                            + " way (a channel shuffle, or rotary embedding's rotate_half)");
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
            if (!graph.isInitializer(initializer)) {
                // A weight computed at run time (a Constant scalar, a dequantized or reshaped tensor) cannot be cut.
                throw notPrunable("weight '" + initializer + "' is computed" + graph.producer(initializer)
                        .map(n -> " by " + n.opType() + " '" + n.name() + "'").orElse("") + ", not stored");
            }
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
            ShapeLiterals.trace(graph, node.name(), node.input(shapeInput), element, this).ifPresent(e -> {
                if (e instanceof ShapeLiterals.Literal l) {
                    shapeEdits.putIfAbsent(l.constant() + "@" + l.reader() + "@" + l.element(),
                            new ShapeEdit(l.constant(), l.reader(), l.element(), value, axis));
                } else if (e instanceof ShapeLiterals.Computed c) {
                    computedEntries.putIfAbsent(c.value() + "@" + c.reader() + "@" + c.element(),
                            new ComputedEntry(c, value, axis));
                }
            });
        }

        @Override
        public void positionEntry(Node node, int input, int element, String value, int axis, long position) {
            ShapeLiterals.Entry e = ShapeLiterals.trace(graph, node.name(), node.input(input), element, this)
                    .orElseThrow(() -> notPrunable(node.opType() + " '" + node.name() + "' has a wildcard bound"));
            if (e instanceof ShapeLiterals.Computed c) {
                computedPositions.add(new ComputedPosition(node.name(), c, value, axis, position));
                return;
            }
            ShapeLiterals.Literal l = (ShapeLiterals.Literal) e;
            shapeEdits.putIfAbsent(l.constant() + "@" + l.reader() + "@" + l.element(), new ShapeEdit(l.constant(),
                    l.reader(), l.element(), value, axis, ShapeEdit.Form.POSITION, position));
        }

        /** Computed shape entries are resolved once every cut dimension is known. */
        private void resolveComputedEntries() {
            Set<String> cutValues = new HashSet<>();
            values.keySet().forEach(k -> cutValues.add(k.substring(0, k.lastIndexOf('#'))));
            for (ComputedPosition c : computedPositions) {
                // torch's chunk(): bounds k·⌈dim/n⌉ from Shape of the cut axis follow the cut by themselves when
                // every unit loses the same share below the bound as along the whole axis (a head's Q, K, V).
                IndexMap map = values.get(key(c.value(), c.axis()));
                long dim = shape(c.value())[c.axis()];
                boolean proportional = map != null && java.util.stream.IntStream.range(0, map.units()).allMatch(u ->
                        java.util.Arrays.stream(map.of(u)).filter(i -> i < c.position()).count() * dim
                                == c.position() * map.of(u).length);
                if (!proportional || !ShapeLiterals.readsCut(graph, c.entry().value(), values.keySet(), cutValues, this)) {
                    throw notPrunable("Slice '" + c.node() + "' has computed bounds on the cut axis that do not follow it");
                }
            }
            for (ComputedEntry e : computedEntries.values()) {
                ShapeLiterals.resolve(graph, e.entry(), e.value(), e.axis(), values.keySet(), cutValues, this)
                        .ifPresent(edit -> shapeEdits.putIfAbsent(edit.constant() + "@" + edit.reader() + "@"
                                + edit.element(), edit));
            }
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
        public void statistic(String why) {
            inexact.add(why);
            statistics.add(why);
        }

        @Override
        public NotPrunable notPrunable(String reason) {
            return new NotPrunable(reason);
        }
    }
}
