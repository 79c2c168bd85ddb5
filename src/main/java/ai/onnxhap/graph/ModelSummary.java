package ai.onnxhap.graph;

import ai.onnxhap.graph.LayerCost;
import java.util.List;
import java.util.Map;

/**
 * What {@code inspect} reports about a model. Cost figures are for {@link #inputShapes}; they are null
 * when shapes could not be resolved ({@link #shapeError} says why).
 */
public record ModelSummary(
        String model,
        long fileBytes,
        long irVersion,
        String producer,
        Map<String, Long> opsets,
        boolean externalData,
        List<ValueSummary> inputs,
        List<ValueSummary> outputs,
        long parameters,
        long nodes,
        Map<String, Integer> opCounts,
        Map<String, long[]> inputShapes,
        Long macs,
        Long flops,
        List<LayerCost> layers,
        String shapeError,
        ai.onnxhap.provenance.Provenance provenance,
        String provenanceError) {

    /** A graph input or output: declared type and shape, plus the concrete shape used for costs. */
    public record ValueSummary(String name, String type, String declaredShape, long[] shape) {
    }
}
