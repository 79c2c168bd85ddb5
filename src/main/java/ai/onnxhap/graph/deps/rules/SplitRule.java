package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.AttributeEdit;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * Split along the cut axis: each output is a window of the input, so cuts shift by the window's offset and
 * the output widths (the {@code split} input, or attribute before opset 13) are rewritten. An equal split
 * without explicit widths cannot lose units unevenly and is refused. Along another axis every operand is cut
 * alike.
 */
public final class SplitRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String in = node.input(0);
        int rank = Axes.rank(p, in, node);
        int splitAxis = Axes.normalize(node.attrInt("axis", 0), rank);
        if (axis != splitAxis) {
            p.value(in, axis, map);
            for (String out : node.outputs()) {
                p.value(out, axis, map);
            }
            return;
        }
        boolean attributeForm = node.hasAttribute("split");
        if (!attributeForm && node.input(1).isEmpty()) {
            throw p.notPrunable("Split '" + node.name() + "' divides the cut axis into equal parts");
        }
        IndexMap inputMap = map;
        int offset = 0;
        if (!tensor.equals(in)) {
            for (String out : node.outputs()) {
                if (out.equals(tensor)) {
                    break;
                }
                offset += (int) p.shape(out)[axis];
            }
            inputMap = map.shift(offset);
        }
        p.value(in, axis, inputMap);
        offset = 0;
        for (int k = 0; k < node.outputs().size(); k++) {
            String out = node.output(k);
            int size = (int) p.shape(out)[axis];
            IndexMap window = inputMap.window(offset, offset + size);
            if (!window.isEmpty()) {
                p.value(out, axis, window);
                if (attributeForm) {
                    p.attributeEdit(new AttributeEdit(node.name(), "split", k, out, axis, 1));
                } else {
                    p.shapeEntry(node, 1, k, out, axis);
                }
            }
            offset += size;
        }
    }
}
