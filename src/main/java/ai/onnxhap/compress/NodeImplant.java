package ai.onnxhap.compress;

import ai.onnxhap.model.OnnxHapException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole Conv/Gemm/MatMul node to replace by a low-rank pair, as --implant-node writes it: NODE or NODE=RANK.
 *
 * @param rank the pair's inner width; 0: chosen from the implant budget
 */
public record NodeImplant(String node, int rank) {
    public NodeImplant {
        if (node.isEmpty() || rank < 0) {
            throw OnnxHapException.usage("--implant-node expects NODE or NODE=RANK, got '" + node + "=" + rank + "'");
        }
    }

    public static NodeImplant parse(String text) {
        int eq = text.lastIndexOf('=');
        try {
            return new NodeImplant(eq < 0 ? text : text.substring(0, eq),
                    eq < 0 ? 0 : Integer.parseInt(text.substring(eq + 1)));
        } catch (NumberFormatException e) {
            throw OnnxHapException.usage("--implant-node expects NODE or NODE=RANK, got '" + text + "'");
        }
    }

    /** node → rank, in the order given (a node named twice keeps its last rank). */
    public static Map<String, Integer> ranks(List<NodeImplant> implants) {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        implants.forEach(i -> ranks.put(i.node(), i.rank()));
        return ranks;
    }
}
