package ai.onnxhap.graph.deps;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.Tensor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds where one entry of a shape (a Reshape target, an Expand shape, Split widths) comes from. Exporters
 * build shapes from literals and from run-time shapes (Shape → Gather → Unsqueeze → Concat); literals are
 * rewritten, wildcards 0 (copy) and -1 (infer) need nothing, and a computed entry is resolved once the group
 * is complete, when it is known which dimensions the cut changes ({@link #resolve}).
 */
final class ShapeLiterals {
    /** Ops of shape arithmetic that a computed entry can be made of. */
    private static final Set<String> RUNTIME_SHAPE_OPS = Set.of("Shape", "Gather", "Size", "Mul", "Div", "Add",
            "Sub", "ReduceProd", "Slice", "Concat", "Unsqueeze", "Squeeze", "Cast", "Identity", "Floor", "Ceil");

    /** A literal to rewrite, or a computed entry carried by {@code value} into {@code reader}. */
    sealed interface Entry permits Literal, Computed {
    }

    record Literal(String constant, String reader, int element) implements Entry {
    }

    record Computed(String value, String reader, int element) implements Entry {
    }

    private ShapeLiterals() {
    }

    /** @param reader the node whose input {@code value} is (the Reshape, Expand or Split) */
    static Optional<Entry> trace(Graph graph, String reader, String value, int element, Propagation p) {
        Tensor folded = p.constant(value);
        if (folded == null) {
            throw p.notPrunable("the target shape '" + value + "' is computed from data");
        }
        long entry = folded.longs()[element];
        if (entry == 0 || entry == -1) {
            return Optional.empty();
        }
        return Optional.of(find(graph, value, element, reader, p));
    }

    private static Entry find(Graph graph, String value, int element, String reader, Propagation p) {
        if (graph.isInitializer(value)) {
            return new Literal(value, reader, element);
        }
        Node producer = graph.producer(value).orElseThrow(() -> p.notPrunable("shape entry '" + value
                + "' has no source"));
        switch (producer.opType()) {
            case "Constant" -> {
                return new Literal(value, reader, element);
            }
            case "Concat" -> {
                int offset = 0;
                for (String in : producer.inputs()) {
                    long[] s = p.shape(in);
                    int size = s == null || s.length == 0 ? 1 : (int) s[0];
                    if (element < offset + size) {
                        return find(graph, in, element - offset, producer.name(), p);
                    }
                    offset += size;
                }
                throw p.notPrunable("Concat '" + producer.name() + "' is shorter than expected");
            }
            case "Where" -> {
                // torch writes Expand shapes as Where(shape == -1, 1, shape): follow the branch this entry takes.
                Tensor cond = p.constant(producer.input(0));
                if (cond == null || cond.size() != p.constant(value).size()) {
                    throw p.notPrunable("shape entry from Where '" + producer.name() + "' depends on data");
                }
                return find(graph, producer.input(cond.longs()[element] != 0 ? 1 : 2), element, producer.name(), p);
            }
            case "Unsqueeze", "Squeeze", "Cast", "Identity", "Reshape" -> {
                return find(graph, producer.input(0), element, producer.name(), p);
            }
            default -> {
                if (RUNTIME_SHAPE_OPS.contains(producer.opType())) {
                    return new Computed(value, reader, element);
                }
                throw p.notPrunable("shape entry from " + producer.opType() + " '" + producer.name()
                        + "' cannot be rewritten");
            }
        }
    }

    private static boolean isLiteral(Graph graph, String value) {
        return graph.isInitializer(value)
                || graph.producer(value).map(n -> n.opType().equals("Constant")).orElse(false);
    }

    /**
     * What a computed entry needs once the group's cut dimensions are known: nothing when it reads a cut
     * dimension at run time (it follows the cut by itself); else the literal factor of a Mul/Div it is made of
     * (heads folded into the batch axis: batch × heads), else a literal in place of the value (a head merge
     * whose width comes from Shape of the uncut residual stream).
     *
     * @param cut       (value, axis) pairs the group cuts, as "value#axis"
     * @param cutValues values the group cuts on any axis
     */
    static Optional<ShapeEdit> resolve(Graph graph, Computed c, String value, int axis, Set<String> cut,
                                       Set<String> cutValues, Propagation p) {
        if (readsCut(graph, c.value(), cut, cutValues, p)) {
            return Optional.empty();
        }
        String v = c.value();
        String reader = c.reader();
        while (true) {
            Node producer = graph.producer(v).orElse(null);
            if (producer == null) {
                break;
            }
            String op = producer.opType();
            if (Set.of("Unsqueeze", "Squeeze", "Cast", "Identity").contains(op) && size(p, v) == 1) {
                reader = producer.name();
                v = producer.input(0);
                continue;
            }
            if ((op.equals("Mul") || op.equals("Div")) && size(p, v) == 1) {
                for (int k = 0; k < 2; k++) {
                    String lit = producer.input(k);
                    String other = producer.input(1 - k);
                    if (isLiteral(graph, lit) && size(p, lit) == 1 && !isLiteral(graph, other)
                            && p.constant(other) != null && size(p, other) == 1 && (op.equals("Mul") || k == 1)) {
                        ShapeEdit.Form form = op.equals("Mul") ? ShapeEdit.Form.PRODUCT : ShapeEdit.Form.QUOTIENT;
                        return Optional.of(new ShapeEdit(lit, producer.name(), 0, value, axis, form,
                                p.constant(other).longs()[0]));
                    }
                }
            }
            break;
        }
        if (c.reader() != null && size(p, c.value()) == 1) {
            return Optional.of(new ShapeEdit(c.value(), c.reader(), 0, value, axis, ShapeEdit.Form.FROZEN, 1));
        }
        throw p.notPrunable("the shape entry '" + c.value() + "' is computed from dimensions the cut does not change");
    }

    private static long size(Propagation p, String v) {
        Tensor t = p.constant(v);
        return t == null ? -1 : t.size();
    }

    /** Whether some Shape/Size that feeds {@code value} reads a dimension the group cuts. */
    static boolean readsCut(Graph graph, String value, Set<String> cut, Set<String> cutValues, Propagation p) {
        Deque<String> pending = new ArrayDeque<>(java.util.List.of(value));
        Set<String> seen = new HashSet<>();
        Map<String, String> gatherOf = new LinkedHashMap<>();
        while (!pending.isEmpty()) {
            String v = pending.poll();
            if (!seen.add(v)) {
                continue;
            }
            Node n = graph.producer(v).orElse(null);
            if (n == null) {
                continue;
            }
            if (n.opType().equals("Shape") || n.opType().equals("Size")) {
                String src = n.input(0);
                String via = gatherOf.get(v);
                Tensor idx = via == null ? null : p.constant(graph.node(via).orElseThrow().input(1));
                if (idx == null || n.hasAttribute("start") || n.hasAttribute("end")) {
                    if (cutValues.contains(src)) {
                        return true;
                    }
                } else {
                    int rank = p.shape(src) == null ? 0 : p.shape(src).length;
                    for (long a : idx.longs()) {
                        if (cut.contains(src + "#" + (a < 0 ? a + rank : a))) {
                            return true;
                        }
                    }
                }
                continue;
            }
            for (int i = 0; i < n.inputs().size(); i++) {
                String in = n.input(i);
                if (in.isEmpty()) {
                    continue;
                }
                if (n.opType().equals("Gather") && i == 0) {
                    gatherOf.put(in, n.name());
                } else if (n.opType().equals("Gather")) {
                    continue;
                }
                pending.add(in);
            }
        }
        return false;
    }
}
