package ai.onnxhap.tf;

import ai.onnxhap.graph.Node;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * What a handler sees of the node it translates: the node's attributes, its inputs as TF operands, their
 * values when they are known while the graph is built (initializers, Constants, shape arithmetic on static
 * shapes), static shapes, and {@link Ops} scoped to the node so TF names trace back to ONNX.
 */
public final class NodeContext {
    private final TfGraphBuilder builder;
    private final Node node;
    private final Ops tf;
    private final long opset;

    NodeContext(TfGraphBuilder builder, Node node, Ops tf, long opset) {
        this.builder = builder;
        this.node = node;
        this.tf = tf;
        this.opset = opset;
    }

    /** TF ops in this node's name scope. */
    public Ops tf() {
        return tf;
    }

    public Node node() {
        return node;
    }

    /** The model's opset of the default ONNX domain. */
    public long opset() {
        return opset;
    }

    /** Number of inputs listed on the node, omitted optional ones included. */
    public int inputCount() {
        return node.inputs().size();
    }

    /** True when input {@code i} is given (listed and not the empty name of an omitted optional input). */
    public boolean hasInput(int i) {
        return !node.input(i).isEmpty();
    }

    public Operand<?> input(int i) {
        if (!hasInput(i)) {
            throw unsupported("input " + i + " is missing");
        }
        return builder.value(node.input(i));
    }

    public Optional<Operand<?>> optionalInput(int i) {
        return hasInput(i) ? Optional.of(input(i)) : Optional.empty();
    }

    /** The input's value if it is known while the graph is built. */
    public Optional<Tensor> constantIfKnown(int i) {
        return hasInput(i) ? builder.constant(node.input(i)) : Optional.empty();
    }

    /** The input's value, which the translation needs while building (axes, pads, shapes, ...). */
    public Tensor constant(int i) {
        return constantIfKnown(i).orElseThrow(() -> unsupported("input '" + node.input(i)
                + "' must be known when the graph is built (it sets axes, sizes or padding)"));
    }

    /**
     * The input's integer values where they follow from static shapes alone: constants, and Shape → Gather →
     * Equal chains whose gathered dimensions TF knows (a dynamic batch axis elsewhere leaves them known).
     */
    public Optional<long[]> staticInts(int i) {
        return hasInput(i) ? builder.staticInts(node.input(i)) : Optional.empty();
    }

    /** Translates the nodes of graph attribute {@code attr} here; its outputs' values, in order. */
    public List<Operand<?>> inline(String attr) {
        for (Node n : node.attrGraphNodes(attr)) {
            builder.addNode(n);
        }
        return node.attrGraphOutputs(attr).stream().<Operand<?>>map(builder::value).toList();
    }

    /** A constant integer input as longs. */
    public long[] longs(int i) {
        return constant(i).toLongs();
    }

    /**
     * Input {@code i}'s shape from exact inference in ONNX Runtime, -1 where it follows a dynamic input
     * dimension (the batch); null when unknown. For sizes TF lost behind a shape computed at run time.
     */
    public long[] inferredShape(int i) {
        return hasInput(i) ? builder.inferredShape(node.input(i)) : null;
    }

    /** Static shape of input {@code i}; -1 where TF does not know a dimension. */
    public long[] shape(int i) {
        return builder.staticShape(input(i), this);
    }

    /** Static shape of any operand made while translating; -1 where unknown. */
    public long[] shape(Operand<?> operand) {
        return builder.staticShape(operand, this);
    }

    public int rank(int i) {
        return shape(i).length;
    }

    /** Number of outputs listed on the node. */
    public int outputCount() {
        return node.outputs().size();
    }

    /** True when output {@code i} is listed and named (a consumer or the graph may read it). */
    public boolean wantsOutput(int i) {
        return !node.output(i).isEmpty();
    }

    /** The build failure for this node, as the one-line message users see. */
    public OnnxHapException unsupported(String what) {
        return OnnxHapException.invalidModel("node '" + node.name() + "' (" + node.opType() + "): " + what);
    }
}
