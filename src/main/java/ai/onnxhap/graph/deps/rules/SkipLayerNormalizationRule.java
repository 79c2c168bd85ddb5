package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;
import java.util.List;

/**
 * ONNX Runtime's fused residual normalisations (com.microsoft SkipLayerNormalization,
 * SkipSimplifiedLayerNormalization) and SimplifiedLayerNormalization (RMSNorm): input + skip (+ bias) is
 * normalised over the last axis and also returned as the residual sum. A cut on the last axis is the hidden
 * width: input, skip, the sum, the output, gamma, beta and bias shrink together, and the statistics run over
 * fewer elements (inexact). Other axes pass through.
 */
public final class SkipLayerNormalizationRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        boolean skip = node.opType().startsWith("Skip");
        // Data inputs and per-feature parameters by position, as the contrib-op specification orders them.
        List<Integer> data = skip ? List.of(0, 1) : List.of(0);
        List<Integer> params = switch (node.opType()) {
            case "SkipLayerNormalization" -> List.of(2, 3, 4);
            case "SkipSimplifiedLayerNormalization" -> List.of(2, 3);
            default -> List.of(1);
        };
        int at = node.inputs().indexOf(tensor);
        if (at >= 0 && !data.contains(at)) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would cut its parameter '" + tensor + "'");
        }
        int rank = Axes.rank(p, node.input(0), node);
        // Outputs 0 (normalised) and, for the Skip ops, 3 (input + skip + bias) carry every axis; 1 and 2 are
        // per-row statistics.
        List<Integer> full = skip ? List.of(0, 3) : List.of(0);
        if (at < 0 && !full.contains(node.outputs().indexOf(tensor))) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would cut its statistics output");
        }
        for (int i : data) {
            p.value(node.input(i), axis, map);
        }
        for (int o : full) {
            if (node.outputs().size() > o && !node.output(o).isEmpty()) {
                p.value(node.output(o), axis, map);
            }
        }
        if (axis == rank - 1) {
            p.inexact(node.opType() + " '" + node.name() + "' normalises over the cut axis");
            for (int i : params) {
                if (node.inputs().size() > i && !node.input(i).isEmpty()) {
                    p.tensor(node.input(i), 0, map, Member.Role.THROUGH);
                }
            }
        }
    }
}
