package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.AttributeEdit;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * ONNX Runtime's com.microsoft GroupQueryAttention: query [B, S, H·D], key and value [B, S, KV·D], each key/value
 * head shared by H/KV consecutive query heads. A unit is one key/value head with its query group: D features of
 * key and value, (H/KV)·D of query and of the output, its slice of past/present caches; {@code num_heads} and
 * {@code kv_num_heads} follow. A cut that splits a query group is refused.
 */
public final class GroupQueryAttentionRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        long heads = node.requireInt("num_heads");
        long kvHeads = node.requireInt("kv_num_heads");
        long[] q = p.shape(node.input(0));
        if (q == null || q.length != 3 || node.input(1).isEmpty()) {
            throw p.notPrunable("GroupQueryAttention '" + node.name() + "' takes packed QKV");
        }
        int d = (int) (q[2] / heads);
        int group = (int) (heads / kvHeads);
        boolean kvSide = tensor.equals(node.input(1)) || tensor.equals(node.input(2));
        boolean cache = tensor.equals(node.input(3)) || tensor.equals(node.input(4))
                || node.outputs().indexOf(tensor) == 1 || node.outputs().indexOf(tensor) == 2;
        boolean querySide = tensor.equals(node.input(0)) || tensor.equals(node.output(0));
        if (!kvSide && !cache && !querySide) {
            throw p.notPrunable("GroupQueryAttention '" + node.name() + "' would cut '" + tensor + "'");
        }
        if (axis != (cache ? 1 : 2)) {
            throw p.notPrunable("GroupQueryAttention '" + node.name() + "' would be cut on axis " + axis);
        }
        IndexMap kv = cache ? map : map.collapse(kvSide ? d : d * group);
        if (kv == null) {
            throw p.notPrunable("GroupQueryAttention '" + node.name() + "' would split a query group or a head");
        }
        IndexMap query = kv.expand(d * group);
        IndexMap keyValue = kv.expand(d);
        p.value(node.input(0), 2, query);
        p.value(node.output(0), 2, query);
        p.value(node.input(1), 2, keyValue);
        p.value(node.input(2), 2, keyValue);
        for (int i : new int[] {3, 4}) {
            if (node.inputs().size() > i && !node.input(i).isEmpty()) {
                p.value(node.input(i), 1, kv);
            }
        }
        for (int o : new int[] {1, 2}) {
            if (node.outputs().size() > o && !node.output(o).isEmpty()) {
                p.value(node.output(o), 1, kv);
            }
        }
        p.attributeEdit(new AttributeEdit(node.name(), "num_heads", -1, node.output(0), 2, d));
        p.attributeEdit(new AttributeEdit(node.name(), "kv_num_heads", -1, node.input(1), 2, d));
    }
}
