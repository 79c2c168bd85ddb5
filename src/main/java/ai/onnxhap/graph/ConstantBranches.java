package ai.onnxhap.graph;

import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.TensorProto;
import java.util.HashMap;
import java.util.Map;

/**
 * Replaces each {@code If} whose condition is known from static shapes by the nodes of the branch it takes.
 * torch.onnx writes {@code squeeze(dim)} on a tensor of dynamic rank as {@code If(shape[dim] == 1, Squeeze,
 * Identity)}; with the shapes known the branch is fixed, and the inlined graph computes the same function
 * with nothing for the analysis or the TensorFlow importer to stop at. An {@code If} that depends on data stays.
 */
public final class ConstantBranches {
    private ConstantBranches() {
    }

    /** @param shapes static shapes of the model's values (from shape inference) */
    public static OnnxModel inline(OnnxModel model, Map<String, long[]> shapes) {
        if (model.proto().getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("If"))) {
            return model;
        }
        Map<String, Tensor> folded = ConstantFolder.fold(Graph.of(model), shapes);
        GraphProto g = model.proto().getGraph();
        GraphProto.Builder out = g.toBuilder().clearNode();
        boolean changed = false;
        for (NodeProto n : g.getNodeList()) {
            Tensor cond = n.getOpType().equals("If") && n.getDomain().isEmpty() ? folded.get(n.getInput(0)) : null;
            if (cond == null || cond.size() != 1) {
                out.addNode(n);
                continue;
            }
            String taken = cond.longs()[0] != 0 ? "then_branch" : "else_branch";
            GraphProto branch = n.getAttributeList().stream().filter(a -> a.getName().equals(taken)).findFirst()
                    .map(AttributeProto::getG).orElse(null);
            if (branch == null) {
                out.addNode(n);
                continue;
            }
            splice(n, branch, out);
            changed = true;
        }
        return changed ? model.withProto(model.proto().toBuilder().setGraph(out).build()) : model;
    }

    /** Adds the branch's nodes and initializers, renamed into the If's scope, writing the If's outputs. */
    private static void splice(NodeProto ifNode, GraphProto branch, GraphProto.Builder out) {
        String scope = (ifNode.getName().isEmpty() ? ifNode.getOutput(0) : ifNode.getName()) + "/";
        Map<String, String> rename = new HashMap<>();
        for (TensorProto t : branch.getInitializerList()) {
            rename.put(t.getName(), scope + t.getName());
        }
        for (NodeProto bn : branch.getNodeList()) {
            for (String o : bn.getOutputList()) {
                if (!o.isEmpty()) {
                    rename.put(o, scope + o);
                }
            }
        }
        Map<String, String> passThrough = new HashMap<>();
        for (int i = 0; i < branch.getOutputCount(); i++) {
            String inner = branch.getOutput(i).getName();
            String target = ifNode.getOutput(i);
            boolean producedInside = branch.getNodeList().stream().anyMatch(bn -> bn.getOutputList().contains(inner));
            if (producedInside) {
                rename.put(inner, target);
            } else {
                passThrough.put(target, rename.getOrDefault(inner, inner));
            }
        }
        for (TensorProto t : branch.getInitializerList()) {
            out.addInitializer(t.toBuilder().setName(rename.get(t.getName())));
        }
        for (NodeProto bn : branch.getNodeList()) {
            NodeProto.Builder b = bn.toBuilder().setName(scope + (bn.getName().isEmpty() ? bn.getOutput(0) : bn.getName()));
            for (int i = 0; i < b.getInputCount(); i++) {
                b.setInput(i, rename.getOrDefault(b.getInput(i), b.getInput(i)));
            }
            for (int i = 0; i < b.getOutputCount(); i++) {
                b.setOutput(i, rename.getOrDefault(b.getOutput(i), b.getOutput(i)));
            }
            out.addNode(b);
        }
        passThrough.forEach((target, source) -> out.addNode(NodeProto.newBuilder().setOpType("Identity")
                .setName(scope + "output/" + target).addInput(source).addOutput(target)));
    }
}
