package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.AttributeEdit;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * LSTM, GRU and RNN. A hidden unit u is, in every direction, row g·H+u of W [dirs, G·H, in] and R [dirs, G·H, H]
 * for each of the G gates, column u of R (the recurrence reads it), its entries of B [dirs, 2·G·H] and of the
 * LSTM peepholes P [dirs, 3·H], axis 2 of the initial states and of Y_h/Y_c, axis 3 of Y; {@code hidden_size}
 * follows. The hidden axis has the same number in both layouts (Y [S, dirs, B, H] or [B, S, dirs, H]; states
 * [dirs, B, H] or [B, dirs, H]), but layout=1 is refused: ONNX Runtime cannot run it, so no cut could be
 * validated. A cut of X's features reaches W's columns only.
 */
public final class RecurrentRule implements OpRule {
    private static final int X = 0;
    private static final int W = 1;
    private static final int R = 2;
    private static final int B = 3;
    private static final int SEQUENCE_LENS = 4;
    private static final int INITIAL_H = 5;
    private static final int INITIAL_C = 6;
    private static final int P = 7;

    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        if (node.attrInt("layout", 0) != 0) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' is batch-major (layout=1), which ONNX Runtime"
                    + " cannot run to validate a cut");
        }
        for (int i : new int[] {W, R, B, P}) {
            if (has(node, i) && !p.isInitializer(node.input(i))) {
                throw p.notPrunable(node.opType() + " '" + node.name() + "' takes computed weights");
            }
        }
        int input = OpRule.inputIndex(node, tensor);
        if (input == X && !OpRule.isOutput(node, tensor)) {
            if (axis != 2) {
                throw p.notPrunable(node.opType() + " '" + node.name() + "' would be cut on axis " + axis + " of X");
            }
            p.parameter(node.input(W), 2, map, Member.Role.CONSUMER);
            p.value(tensor, axis, map);
            return;
        }
        int hiddenAxis = tensor.equals(node.output(0)) ? 3 : 2;
        boolean state = OpRule.isOutput(node, tensor) || input == INITIAL_H || input == INITIAL_C;
        if (!state || axis != hiddenAxis) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would be cut on axis " + axis + " of '"
                    + tensor + "'");
        }
        cutHidden(node, map, p);
    }

    private static void cutHidden(Node node, IndexMap map, Propagation p) {
        long[] r = p.shape(node.input(R));
        if (r == null || r.length != 3) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' has an unknown recurrence weight shape");
        }
        int hidden = (int) r[2];
        int gates = switch (node.opType()) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
        if (r[1] != (long) gates * hidden) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' has R of " + r[1] + " rows, expected "
                    + gates * hidden);
        }
        IndexMap rows = sections(map, hidden, gates);
        p.parameter(node.input(W), 1, rows, Member.Role.PRODUCER);
        p.parameter(node.input(R), 1, rows, Member.Role.PRODUCER);
        // Column u of R is where the recurrence reads unit u: zeroing it silences the unit for every other one.
        p.parameter(node.input(R), 2, map, Member.Role.CONSUMER);
        if (has(node, B)) {
            p.parameter(node.input(B), 1, sections(map, hidden, 2 * gates), Member.Role.PRODUCER);
        }
        if (node.opType().equals("LSTM") && has(node, P)) {
            p.parameter(node.input(P), 1, sections(map, hidden, 3), Member.Role.PRODUCER);
        }
        for (int i : new int[] {INITIAL_H, INITIAL_C}) {
            if (has(node, i)) {
                p.tensor(node.input(i), 2, map, Member.Role.PRODUCER);
            }
        }
        String counted = null;
        for (int o = node.outputs().size() - 1; o >= 0; o--) {
            if (!node.output(o).isEmpty()) {
                p.value(node.output(o), o == 0 ? 3 : 2, map);
                counted = node.output(o);
            }
        }
        if (counted == null) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' has no outputs");
        }
        if (node.hasAttribute("hidden_size")) {
            int axis = counted.equals(node.output(0)) ? 3 : 2;
            p.attributeEdit(new AttributeEdit(node.name(), "hidden_size", -1, counted, axis, 1));
        }
    }

    /** Unit u's index in each of {@code count} consecutive sections of size {@code hidden}. */
    private static IndexMap sections(IndexMap map, int hidden, int count) {
        IndexMap all = map;
        for (int s = 1; s < count; s++) {
            all = all.union(map.shift(s * hidden));
        }
        return all;
    }

    private static boolean has(Node node, int input) {
        return node.inputs().size() > input && !node.input(input).isEmpty();
    }
}
