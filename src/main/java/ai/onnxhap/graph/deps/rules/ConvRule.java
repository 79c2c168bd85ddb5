package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.AttributeEdit;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * Conv: output channels are rows of W (and entries of B); input channels are W's second axis. A depthwise
 * Conv (group = input channels) ties its input and output channels together, so the cut runs through it
 * and its {@code group} attribute shrinks; other grouped Convs cannot lose channels unevenly.
 */
public final class ConvRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        long group = node.attrInt("group", 1);
        String w = node.input(1);
        long[] ws = p.shape(w);
        if (ws == null || !p.isInitializer(w)) {
            throw p.notPrunable("Conv '" + node.name() + "' has no constant weight");
        }
        boolean output = OpRule.isOutput(node, tensor);
        if (axis != 1 || (!output && !tensor.equals(node.input(0)))) {
            throw p.notPrunable("Conv '" + node.name() + "' would be cut on axis " + axis + " of '" + tensor + "'");
        }
        long inChannels = ws[1] * group;
        if (group == 1) {
            if (output) {
                p.parameter(w, 0, map, Member.Role.PRODUCER);
                if (!node.input(2).isEmpty()) {
                    p.parameter(node.input(2), 0, map, Member.Role.PRODUCER);
                }
                p.value(node.output(0), 1, map);
            } else {
                p.parameter(w, 1, map, Member.Role.CONSUMER);
                p.value(node.input(0), 1, map);
            }
            return;
        }
        if (group != inChannels || ws[1] != 1) {
            throw p.notPrunable("grouped Conv '" + node.name() + "' (group=" + group
                    + ") cannot lose channels without equal cuts in every group");
        }
        // Depthwise: input channel c feeds outputs [c·m, c·m + m).
        int multiplier = (int) (ws[0] / group);
        IndexMap in = output ? map.collapse(multiplier) : map;
        IndexMap out = output ? map : map.expand(multiplier);
        if (in == null) {
            throw p.notPrunable("depthwise Conv '" + node.name() + "' would lose part of a channel's outputs");
        }
        p.value(node.input(0), 1, in);
        p.value(node.output(0), 1, out);
        p.parameter(w, 0, out, Member.Role.THROUGH);
        if (!node.input(2).isEmpty()) {
            p.parameter(node.input(2), 0, out, Member.Role.THROUGH);
        }
        p.attributeEdit(new AttributeEdit(node.name(), "group", -1, node.input(0), 1, 1));
    }
}
