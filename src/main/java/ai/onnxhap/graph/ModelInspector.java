package ai.onnxhap.graph;

import ai.onnxhap.graph.CostModel;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.LayerCost;
import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.ShapeOracle;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds a {@link ModelSummary}: structure from the graph, costs from shapes the oracle resolves. */
public final class ModelInspector {
    private final ShapeOracle shapes;

    public ModelInspector(ShapeOracle shapes) {
        this.shapes = shapes;
    }

    public ModelSummary inspect(OnnxModel model, Map<String, long[]> inputShapes) {
        Graph graph = Graph.of(model);
        Map<String, long[]> all = null;
        String shapeError = null;
        try {
            all = shapes.shapes(model, inputShapes);
        } catch (OnnxHapException e) {
            // Structure is still worth reporting when the runtime cannot execute the model.
            shapeError = e.getMessage();
        }
        Map<String, Integer> ops = new TreeMap<>();
        for (Node n : graph.nodes()) {
            ops.merge(n.domain().isEmpty() ? n.opType() : n.domain() + "." + n.opType(), 1, Integer::sum);
        }
        Map<String, Integer> opsByCount = new LinkedHashMap<>();
        ops.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> opsByCount.put(e.getKey(), e.getValue()));

        Long macs = null;
        Long flops = null;
        List<LayerCost> layers = new ArrayList<>();
        if (all != null) {
            List<LayerCost> costs = CostModel.perNode(graph, all);
            macs = costs.stream().mapToLong(LayerCost::macs).sum();
            flops = costs.stream().mapToLong(LayerCost::flops).sum();
            costs.stream().filter(c -> c.macs() > 0 || c.params() > 0).forEach(layers::add);
        }
        Map<String, long[]> resolved = all;
        List<ModelSummary.ValueSummary> ins = graph.inputs().stream().map(v -> value(v, inputShapes.get(v.name())))
                .toList();
        List<ModelSummary.ValueSummary> outs = graph.outputs().stream()
                .map(v -> value(v, resolved == null ? null : resolved.get(v.name()))).toList();
        long fileBytes = model.source().map(p -> {
            try {
                return Files.size(p);
            } catch (IOException e) {
                return -1L;
            }
        }).orElse(-1L);
        String producer = (model.proto().getProducerName() + " " + model.proto().getProducerVersion()).trim();
        ai.onnxhap.provenance.Provenance provenance = null;
        String provenanceError = null;
        try {
            provenance = ai.onnxhap.provenance.Provenance.read(model).orElse(null);
        } catch (ai.onnxhap.model.OnnxHapException e) {
            provenanceError = e.getMessage(); // shown, not hidden: the rest of the summary still stands
        }
        return new ModelSummary(model.label(), fileBytes, model.proto().getIrVersion(), producer, model.opsets(),
                model.hasExternalData(), ins, outs, CostModel.parameterCount(graph), graph.nodes().size(), opsByCount,
                inputShapes, macs, flops, layers, shapeError, provenance, provenanceError);
    }

    private static ModelSummary.ValueSummary value(Graph.ValueInfo v, long[] shape) {
        String type = v.type() == null ? "?" : v.type().name().toLowerCase();
        return new ModelSummary.ValueSummary(v.name(), type, v.shapeText(), shape);
    }

    /** The k layers with the most parameters, then the k with the most MACs. */
    public static List<LayerCost> largest(List<LayerCost> layers, int k, Comparator<LayerCost> by) {
        return layers.stream().sorted(by.reversed()).limit(k).toList();
    }
}
