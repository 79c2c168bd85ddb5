package ai.onnxhap.graph;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.NodeProto;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One ONNX node with typed attribute access. Attribute defaults are the caller's: they differ per op and opset. */
public final class Node {
    private final NodeProto proto;
    private final String name;
    private final int index;
    private final Map<String, AttributeProto> attributes;

    Node(NodeProto proto, int index) {
        this.proto = proto;
        this.index = index;
        this.name = proto.getName().isEmpty() ? proto.getOpType() + "_" + index : proto.getName();
        Map<String, AttributeProto> attrs = new LinkedHashMap<>();
        for (AttributeProto a : proto.getAttributeList()) {
            attrs.put(a.getName(), a);
        }
        this.attributes = Collections.unmodifiableMap(attrs);
    }

    /** An ints attribute, as rewrites write them (kernel shapes, pads, axes). */
    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public NodeProto proto() {
        return proto;
    }

    /** Position in the file's node list (GraphProto.node), which rewrites address. */
    public int index() {
        return index;
    }

    /** The node's name, or a stable made-up one (op type + position) when the exporter left it empty. */
    public String name() {
        return name;
    }

    public String opType() {
        return proto.getOpType();
    }

    /** "" for the default ONNX domain. */
    public String domain() {
        return proto.getDomain().equals("ai.onnx") ? "" : proto.getDomain();
    }

    public List<String> inputs() {
        return proto.getInputList();
    }

    public List<String> outputs() {
        return proto.getOutputList();
    }

    /** The i-th input name, or "" when absent or omitted (optional inputs). */
    public String input(int i) {
        return i < proto.getInputCount() ? proto.getInput(i) : "";
    }

    public String output(int i) {
        return i < proto.getOutputCount() ? proto.getOutput(i) : "";
    }

    public boolean hasAttribute(String attr) {
        return attributes.containsKey(attr);
    }

    public Optional<AttributeProto> attribute(String attr) {
        return Optional.ofNullable(attributes.get(attr));
    }

    public long attrInt(String attr, long defaultValue) {
        AttributeProto a = attributes.get(attr);
        return a == null ? defaultValue : a.getI();
    }

    public float attrFloat(String attr, float defaultValue) {
        AttributeProto a = attributes.get(attr);
        return a == null ? defaultValue : a.getF();
    }

    public String attrString(String attr, String defaultValue) {
        AttributeProto a = attributes.get(attr);
        return a == null ? defaultValue : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** An INTS attribute, or the default when absent. */
    public long[] attrInts(String attr, long[] defaultValue) {
        AttributeProto a = attributes.get(attr);
        return a == null ? defaultValue : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    public float[] attrFloats(String attr, float[] defaultValue) {
        AttributeProto a = attributes.get(attr);
        if (a == null) {
            return defaultValue;
        }
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getFloats(i);
        }
        return out;
    }

    /** A TENSOR attribute (e.g. Constant's value), decoded. */
    public Optional<Tensor> attrTensor(String attr) {
        AttributeProto a = attributes.get(attr);
        if (a == null || !a.hasT()) {
            return Optional.empty();
        }
        return Optional.of(TensorCodec.decode(a.getT()));
    }

    /** The nodes of a GRAPH attribute (If's branches), in file order, named as top-level nodes are. */
    public List<Node> attrGraphNodes(String attr) {
        AttributeProto a = attributes.get(attr);
        if (a == null || !a.hasG()) {
            throw OnnxHapException.invalidModel("node '" + name + "' (" + opType() + ") lacks graph attribute '"
                    + attr + "'");
        }
        List<Node> out = new java.util.ArrayList<>();
        for (int i = 0; i < a.getG().getNodeCount(); i++) {
            out.add(new Node(a.getG().getNode(i), i));
        }
        return out;
    }

    /** The output names of a GRAPH attribute, in order. */
    public List<String> attrGraphOutputs(String attr) {
        return attributes.containsKey(attr) ? attributes.get(attr).getG().getOutputList().stream()
                .map(v -> v.getName()).toList() : List.of();
    }

    public long requireInt(String attr) {
        AttributeProto a = attributes.get(attr);
        if (a == null) {
            throw OnnxHapException.invalidModel("node '" + name + "' (" + opType() + ") lacks attribute '" + attr + "'");
        }
        return a.getI();
    }

    @Override
    public String toString() {
        return name + "(" + opType() + ")";
    }
}
