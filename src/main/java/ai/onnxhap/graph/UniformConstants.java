package ai.onnxhap.graph;

import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives each reader of a {@code ConstantOfShape} its own copy (with its own shape Concat). torch.onnx builds the
 * zero initial states of a stacked {@code nn.LSTM} as one [layers·dirs, B, H] tensor sliced per layer; shared, it
 * would tie layer 1's hidden units to layer 2's in one pruning group although a constant fill relates nothing.
 * The copies compute the same values.
 */
public final class UniformConstants {
    private UniformConstants() {
    }

    public static OnnxModel untie(OnnxModel model) {
        GraphProto g = model.proto().getGraph();
        Map<String, List<Integer>> readers = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            for (String in : g.getNode(i).getInputList()) {
                readers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            }
        }
        Map<String, NodeProto> producers = new HashMap<>();
        g.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producers.put(o, n)));
        Map<Integer, Map<String, String>> rewire = new HashMap<>();
        Map<Integer, List<NodeProto>> after = new HashMap<>();
        boolean changed = false;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!n.getOpType().equals("ConstantOfShape") || !n.getDomain().isEmpty()) {
                continue;
            }
            List<Integer> users = readers.getOrDefault(n.getOutput(0), List.of()).stream().distinct().toList();
            if (users.size() < 2 || isGraphOutput(g, n.getOutput(0))) {
                continue;
            }
            NodeProto shape = producers.get(n.getInput(0));
            boolean ownShape = shape != null && shape.getOpType().equals("Concat")
                    && readers.getOrDefault(n.getInput(0), List.of()).size() == 1;
            for (int k = 1; k < users.size(); k++) {
                String suffix = "/untied_" + k;
                List<NodeProto> copies = after.computeIfAbsent(i, x -> new ArrayList<>());
                String shapeName = n.getInput(0);
                if (ownShape) {
                    shapeName = shape.getOutput(0) + suffix;
                    copies.add(shape.toBuilder().setName(shape.getName() + suffix).setOutput(0, shapeName).build());
                }
                String out = n.getOutput(0) + suffix;
                copies.add(n.toBuilder().setName(n.getName() + suffix).setInput(0, shapeName).setOutput(0, out).build());
                rewire.computeIfAbsent(users.get(k), x -> new HashMap<>()).put(n.getOutput(0), out);
                changed = true;
            }
        }
        if (!changed) {
            return model;
        }
        GraphProto.Builder b = g.toBuilder().clearNode();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto.Builder n = g.getNode(i).toBuilder();
            Map<String, String> r = rewire.getOrDefault(i, Map.of());
            for (int k = 0; k < n.getInputCount(); k++) {
                n.setInput(k, r.getOrDefault(n.getInput(k), n.getInput(k)));
            }
            b.addNode(n);
            after.getOrDefault(i, List.of()).forEach(b::addNode);
        }
        return model.withProto(model.proto().toBuilder().setGraph(b).build());
    }

    private static boolean isGraphOutput(GraphProto g, String value) {
        return g.getOutputList().stream().anyMatch(o -> o.getName().equals(value));
    }
}
