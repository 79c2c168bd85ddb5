package ai.onnxhap.graph.deps;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.Tensor;
import java.util.Optional;
import java.util.Set;

/**
 * Finds where one entry of a Reshape target comes from. Exporters build targets from literals and from
 * run-time shapes (Shape → Gather → Unsqueeze → Concat); only literals need rewriting, and only those
 * that are not the wildcards 0 (copy) and -1 (infer).
 */
final class ShapeLiterals {
    /** Ops whose output entries are computed from a Shape at run time and so follow a cut by themselves. */
    private static final Set<String> RUNTIME_SHAPE_OPS = Set.of("Shape", "Gather", "Size", "Mul", "Div", "Add",
            "Sub", "ReduceProd", "Slice");

    record Literal(String constant, String reader, int element) {
    }

    private ShapeLiterals() {
    }

    static Optional<Literal> trace(Graph graph, String value, int element, Propagation p) {
        Tensor folded = p.constant(value);
        if (folded == null) {
            throw p.notPrunable("the target shape '" + value + "' is computed from data");
        }
        long entry = folded.longs()[element];
        if (entry == 0 || entry == -1) {
            return Optional.empty();
        }
        return find(graph, value, element, null, p);
    }

    private static Optional<Literal> find(Graph graph, String value, int element, String reader, Propagation p) {
        if (graph.isInitializer(value)) {
            return Optional.of(new Literal(value, reader, element));
        }
        Node producer = graph.producer(value).orElseThrow(() -> p.notPrunable("shape entry '" + value
                + "' has no source"));
        switch (producer.opType()) {
            case "Constant" -> {
                return Optional.of(new Literal(value, reader, element));
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
            case "Unsqueeze", "Squeeze", "Cast", "Identity", "Reshape" -> {
                return find(graph, producer.input(0), element, producer.name(), p);
            }
            default -> {
                if (RUNTIME_SHAPE_OPS.contains(producer.opType())) {
                    return Optional.empty();
                }
                throw p.notPrunable("shape entry from " + producer.opType() + " '" + producer.name()
                        + "' cannot be rewritten");
            }
        }
    }
}
