package ai.onnxhap.validate;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.graph.ModelInspector;
import ai.onnxhap.graph.ModelSummary;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.validate.LatencyBenchmark;
import ai.onnxhap.validate.LatencyReport;
import ai.onnxhap.validate.ModelComparison;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import ai.onnxhap.validate.Validator;
import java.util.Map;
import java.util.Objects;

/** Runs an original and a compressed model side by side in ONNX Runtime and applies the accuracy gate. */
public final class ValidationRunner {

    /**
     * @param data            inputs (and labels) to compare on; null for synthetic N(0,1) inputs
     * @param syntheticSamples how many synthetic samples when data is null
     * @param maxAccuracyDrop gate in percentage points (labels: accuracy drop; else top-1 disagreement); null for none
     */
    public record Settings(DataSet data, String dataSource, int syntheticSamples, int batchSize, int warmup, int runs,
                           OrtModel.Options ort, Double maxAccuracyDrop, long seed) {
        public Settings {
            if (batchSize < 1 || runs < 1 || warmup < 0 || syntheticSamples < 1) {
                throw OnnxHapException.usage("batch size, runs and samples must be positive");
            }
            Objects.requireNonNull(ort, "ort");
        }
    }

    private ValidationRunner() {
    }

    public static ValidationReport run(OnnxModel original, OnnxModel compressed, Settings s) {
        DataSet data;
        String source;
        if (s.data() != null) {
            data = ModelInputs.bind(s.data(), original);
            source = s.dataSource() + " (" + data.size() + " samples" + (data.labels().isPresent() ? ", labelled" : "")
                    + ")";
        } else {
            Graph graph = Graph.of(original);
            Map<String, long[]> shapes = InputShapes.resolve(graph, Map.of(), s.syntheticSamples());
            data = DataSet.of(OrtShapeOracle.syntheticInputs(graph, shapes, s.seed()));
            source = "synthetic N(0,1) inputs, seed " + s.seed() + " (" + data.size() + " samples)";
        }
        ModelComparison comparison = Validator.compare(original, compressed, data, s.batchSize(), s.ort());
        DataSet batch = data.slice(0, Math.min(s.batchSize(), data.size()));
        LatencyReport before = latency(original, batch, s);
        LatencyReport after = latency(compressed, batch, s);

        Map<String, long[]> batchShapes = new java.util.LinkedHashMap<>();
        batch.inputs().forEach((k, v) -> batchShapes.put(k, v.shape()));
        ModelInspector inspector = new ModelInspector(OrtShapeOracle.INSTANCE);
        ModelSummary a = inspector.inspect(original, batchShapes);
        ModelSummary b = inspector.inspect(compressed, batchShapes);

        Double drop = comparison.dropPoints();
        boolean passed = true;
        if (s.maxAccuracyDrop() != null) {
            if (drop == null) {
                throw OnnxHapException.usage("--max-accuracy-drop needs labels or a classification output [N, classes] "
                        + "to compare");
            }
            passed = drop <= s.maxAccuracyDrop();
        }
        return new ValidationReport(a, b, source, comparison, before, after, s.maxAccuracyDrop(), drop, passed);
    }

    private static LatencyReport latency(OnnxModel model, DataSet batch, Settings s) {
        try (OrtModel ort = OrtModel.open(model, s.ort())) {
            return LatencyBenchmark.measure(ort, batch.inputs(), s.warmup(), s.runs());
        }
    }

}
