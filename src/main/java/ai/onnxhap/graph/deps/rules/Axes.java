package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.Propagation;
import ai.onnxhap.model.Tensor;

/** Axis helpers shared by the rules: normalising negative axes, reading axes from attributes or inputs. */
final class Axes {
    private Axes() {
    }

    static int normalize(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    static int rank(Propagation p, String value, Node node) {
        long[] s = p.shape(value);
        if (s == null) {
            throw p.notPrunable("shape of '" + value + "' (at " + node.name() + ") is unknown");
        }
        return s.length;
    }

    /** Axes from the attribute (older opsets) or the given input (newer ones); null when neither is present. */
    static long[] axesOf(Node node, int input, Propagation p) {
        if (node.hasAttribute("axes")) {
            return node.attrInts("axes", null);
        }
        String name = node.input(input);
        if (name.isEmpty()) {
            return null;
        }
        Tensor t = p.constant(name);
        if (t == null) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' takes its axes from a computed value");
        }
        return t.longs();
    }

    static boolean contains(long[] axes, int axis, int rank) {
        for (long a : axes) {
            if (normalize(a, rank) == axis) {
                return true;
            }
        }
        return false;
    }
}
