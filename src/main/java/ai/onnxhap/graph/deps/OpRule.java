package ai.onnxhap.graph.deps;

import ai.onnxhap.graph.Node;

/**
 * How cutting one dimension of a node's input or output forces cuts on its other inputs, outputs and
 * weights. One implementation per ONNX op type (or family of ops with identical behaviour), found through
 * {@link OpRules}.
 */
@FunctionalInterface
public interface OpRule {
    /**
     * @param tensor an input or output of {@code node} whose dimension {@code axis} is cut
     */
    void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p);

    /** Position of a name among the node's inputs, or -1. */
    static int inputIndex(Node node, String tensor) {
        return node.inputs().indexOf(tensor);
    }

    static boolean isOutput(Node node, String tensor) {
        return node.outputs().contains(tensor);
    }
}
