package ai.onnxhap.graph.deps;

import ai.onnxhap.graph.CostModel;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Why nothing in a model can be pruned, in one line: each group's reason, or why no group was found at all. */
public final class Unprunable {
    private Unprunable() {
    }

    /** Whether the main graph holds any weight (a floating-point initializer of more than one element). */
    public static boolean hasWeights(Graph graph) {
        return weightCount(graph) > 0;
    }

    private static long weightCount(Graph graph) {
        return graph.initializerProtos().values().stream().filter(t -> CostModel.isParameter(t)
                && t.getDimsCount() >= 1 && t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b) > 1)
                .count();
    }

    public static String explain(Graph graph, List<PruningGroup> groups) {
        if (!groups.isEmpty()) {
            return groups.stream().map(g -> g.id() + " (" + g.kind().label() + " at '" + g.rootNode() + "'): " + g.reason())
                    .collect(Collectors.joining("; "));
        }
        if (weightCount(graph) == 0) {
            List<String> holders = new ArrayList<>();
            for (Node n : graph.nodes()) {
                int inside = 0;
                for (AttributeProto a : n.proto().getAttributeList()) {
                    if (a.hasG()) {
                        inside += weightsIn(a.getG());
                    }
                    for (GraphProto sub : a.getGraphsList()) {
                        inside += weightsIn(sub);
                    }
                }
                if (inside > 0) {
                    holders.add(n.opType() + " '" + n.name() + "'");
                }
            }
            if (!holders.isEmpty()) {
                return "its weights live inside the subgraphs of " + holders.size() + " node(s) (" + String.join(", ",
                        holders.subList(0, Math.min(3, holders.size()))) + (holders.size() > 3 ? ", ..." : "")
                        + "), which the analysis does not enter";
            }
            return "it has no weight tensors (no floating-point initializer or Constant with more than one element)";
        }
        TreeSet<String> readers = new TreeSet<>();
        graph.initializerProtos().forEach((name, t) -> {
            if (CostModel.isParameter(t)) {
                graph.consumers(name).forEach(n -> readers.add(n.opType()));
            }
        });
        return "no layer with a weight has units to remove (weights are read by " + String.join(", ", readers)
                + "; structures start at Conv, ConvTranspose, Gemm, MatMul, LSTM, GRU, RNN or attention)";
    }

    private static int weightsIn(GraphProto g) {
        int count = (int) g.getInitializerList().stream().filter(CostModel::isParameter).count();
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Constant") && n.getAttributeList().stream()
                    .anyMatch(a -> a.hasT() && CostModel.isParameter(a.getT()) && a.getT().getDimsCount() >= 1)) {
                count++;
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    count += weightsIn(a.getG());
                }
                for (GraphProto sub : a.getGraphsList()) {
                    count += weightsIn(sub);
                }
            }
        }
        return count;
    }
}
