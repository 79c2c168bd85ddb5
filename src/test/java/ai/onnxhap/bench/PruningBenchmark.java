package ai.onnxhap.bench;

import ai.onnxhap.compress.CompressOptions;
import ai.onnxhap.compress.Compressor;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.LatencyBenchmark;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Original vs pruned ONNX Runtime latency at several ratios, beside the MACs ratio, in one run (ratios, not
 * absolute times, are what to compare on a noisy machine). Target: speed-up ≥ 0.8 × MACs ratio on the
 * residual CNN. Run: mvn test -Pbench -Dtest=PruningBenchmark [-Dhap.bench.model=... -Dhap.bench.batch=64]
 */
@Tag("benchmark")
class PruningBenchmark {
    @Test
    void latencyAgainstMacs() {
        String path = System.getProperty("hap.bench.model", "");
        OnnxModel model = ModelIO.load(path.isBlank() ? TestModels.testdata().resolve("resnet_fmnist.onnx")
                : java.nio.file.Path.of(path));
        int batch = Integer.getInteger("hap.bench.batch", 64);
        Map<String, long[]> shapes = InputShapes.resolve(Graph.of(model), Map.of(), batch);
        var inputs = OrtShapeOracle.syntheticInputs(Graph.of(model), shapes, 0);
        OrtModel.Options ort = OrtModel.Options.defaults().withThreads(1);
        System.out.printf("%nPruning benchmark: %s, batch %d, 1 thread, l1 criterion, widths rounded to 8%n",
                model.label(), batch);
        System.out.println("ratio  params removed  MACs ratio  latency orig(ms)  latency pruned(ms)  speed-up  speed-up/MACs");
        for (double ratio : List.of(0.3, 0.5, 0.7)) {
            var options = new CompressOptions(new PlanOptions(ratio, 0.9, Set.of(), 8), "l1", 0, Map.of(), 0.5,
                    InputShapes.resolve(Graph.of(model), Map.of(), 1));
            var result = new Compressor(OrtShapeOracle.INSTANCE).compress(model, "", options, false);
            double[] a = new double[5];
            double[] b = new double[5];
            // Alternate rounds of the two models so drift on the machine hits both alike; report the median round.
            try (OrtModel orig = OrtModel.open(model, ort); OrtModel pruned = OrtModel.open(result.model(), ort)) {
                LatencyBenchmark.measure(orig, inputs, 10, 1);
                LatencyBenchmark.measure(pruned, inputs, 10, 1);
                for (int round = 0; round < a.length; round++) {
                    a[round] = LatencyBenchmark.measure(orig, inputs, 0, 10).medianMs();
                    b[round] = LatencyBenchmark.measure(pruned, inputs, 0, 10).medianMs();
                }
            }
            java.util.Arrays.sort(a);
            java.util.Arrays.sort(b);
            var r = result.report();
            double macsRatio = (double) r.macsBefore() / r.macsAfter();
            double speedup = a[2] / b[2];
            System.out.printf("%.1f    %13.1f%%  %9.2fx  %16.3f  %18.3f  %7.2fx  %13.2f%n", ratio,
                    100.0 * (r.paramsBefore() - r.paramsAfter()) / r.paramsBefore(), macsRatio, a[2],
                    b[2], speedup, speedup / macsRatio);
        }
    }
}
