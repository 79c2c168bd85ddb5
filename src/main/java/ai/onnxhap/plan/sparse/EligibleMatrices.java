package ai.onnxhap.plan.sparse;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.DataType;
import ai.onnxhap.onnx.TensorProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the weight matrices DARB prunes: constant float32 weights of Gemm, MatMul, Conv and LSTM/GRU/RNN (W and
 * R, one view per direction and gate block), excluding tensors below a size threshold and excluded nodes.
 */
public final class EligibleMatrices {
    /** Tensors below this many elements are left dense: their indices would cost more than they save. */
    public static final int DEFAULT_MIN_ELEMENTS = 4096;

    private static final String[] LSTM_GATES = {"i", "o", "f", "c"};
    private static final String[] GRU_GATES = {"z", "r", "h"};

    private EligibleMatrices() {
    }

    /** @param reason why a weight is left alone, for the report */
    public record Skipped(String tensor, String node, String reason) {
    }

    public record Found(List<MatrixView> matrices, List<Skipped> skipped) {
        public Found {
            matrices = List.copyOf(matrices);
            skipped = List.copyOf(skipped);
        }
    }

    public static Found find(Graph graph, int minElements, Set<String> excludedNodes) {
        List<MatrixView> found = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Node n : graph.nodes()) {
            for (int input : weightInputs(n)) {
                String w = n.input(input);
                if (w.isEmpty() || !graph.isInitializer(w) || !seen.add(w)) {
                    continue;
                }
                TensorProto proto = graph.initializerProtos().get(w);
                long[] shape = proto.getDimsList().stream().mapToLong(Long::longValue).toArray();
                long elements = ai.onnxhap.model.Tensor.elementCount(shape);
                if (excludedNodes.contains(n.name())) {
                    skipped.add(new Skipped(w, n.name(), "excluded"));
                } else if (proto.getDataType() != DataType.FLOAT.code()) {
                    skipped.add(new Skipped(w, n.name(), "element type " + DataType.fromCode(proto.getDataType())
                            + " (only float32 is pruned)"));
                } else if (elements < minElements) {
                    skipped.add(new Skipped(w, n.name(), elements + " elements, below " + minElements));
                } else if (elements > Integer.MAX_VALUE) {
                    skipped.add(new Skipped(w, n.name(), "over 2^31 elements"));
                } else {
                    List<MatrixView> views = views(n, input, w, shape);
                    if (views.isEmpty()) {
                        skipped.add(new Skipped(w, n.name(), "shape " + java.util.Arrays.toString(shape)
                                + " is not a weight matrix of " + n.opType()));
                    }
                    found.addAll(views);
                }
            }
        }
        return new Found(found, skipped);
    }

    private static int[] weightInputs(Node n) {
        return switch (n.opType()) {
            case "Gemm", "MatMul", "Conv" -> new int[] {1};
            case "LSTM", "GRU", "RNN" -> new int[] {1, 2};
            default -> new int[0];
        };
    }

    private static List<MatrixView> views(Node n, int input, String w, long[] s) {
        String op = n.opType();
        switch (op) {
            case "Gemm", "MatMul" -> {
                if (s.length != 2) {
                    return List.of();
                }
                int d0 = (int) s[0];
                int d1 = (int) s[1];
                boolean outFirst = op.equals("Gemm") && n.attrInt("transB", 0) == 1;
                return List.of(outFirst ? new MatrixView(w, n.name(), op, "", s, 0, d0, d1, d1, 1)
                        : new MatrixView(w, n.name(), op, "", s, 0, d1, d0, 1, d1));
            }
            case "Conv" -> {
                if (s.length < 3) {
                    return List.of();
                }
                int rows = (int) s[0];
                int cols = (int) (ai.onnxhap.model.Tensor.elementCount(s) / rows);
                return List.of(new MatrixView(w, n.name(), op, "", s, 0, rows, cols, cols, 1));
            }
            default -> {
                String[] gates = op.equals("LSTM") ? LSTM_GATES : op.equals("GRU") ? GRU_GATES : new String[] {"h"};
                if (s.length != 3 || s[1] % gates.length != 0) {
                    return List.of();
                }
                int hidden = (int) (s[1] / gates.length);
                int cols = (int) s[2];
                List<MatrixView> out = new ArrayList<>();
                for (int d = 0; d < s[0]; d++) {
                    for (int g = 0; g < gates.length; g++) {
                        int offset = (int) ((d * s[1] + (long) g * hidden) * cols);
                        String part = (input == 1 ? "W" : "R") + " dir " + d + " gate " + gates[g];
                        out.add(new MatrixView(w, n.name(), op, part, s, offset, hidden, cols, cols, 1));
                    }
                }
                return out;
            }
        }
    }
}
