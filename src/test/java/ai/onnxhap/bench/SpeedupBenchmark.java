package ai.onnxhap.bench;

import ai.onnxhap.compress.CompressOptions;
import ai.onnxhap.compress.CompressionJob;
import ai.onnxhap.compress.HapRequest;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.rewrite.ChannelImplant;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Does pruning make real-size models faster in ONNX Runtime? ResNet-18, MobileNetV2 (torchvision) and a 4-layer
 * BERT-base-width encoder, pruned at 0.3/0.5/0.7 with compress's defaults (widths chosen by measurement, no
 * implants) and, beside them, the former defaults (widths rounded to 8; implants for a tenth of the removed
 * units): MACs ratio, measured speed-up (original and compressed timed in alternating rounds in one run) and
 * their quotient. Models: {@code /usr/bin/python3 tools/make_latency_models.py} (to /tmp/onnx-hap-latency).
 * Run: mvn test -Pbench -Dtest=SpeedupBenchmark -Dhap.test.heap=8g [-Dhap.bench.latencyModels=DIR -Dhap.bench.batch=8
 * -Dhap.bench.threads=2 -Dhap.bench.ratios=0.3,0.5,0.7 -Dhap.bench.only=resnet18]
 */
@Tag("benchmark")
class SpeedupBenchmark {
    private record Variant(String name, int roundTo, double implantRatio) {
    }

    private static final List<Variant> VARIANTS = List.of(new Variant("default (auto widths)", PlanOptions.AUTO_ROUND,
            0), new Variant("round to 8", 8, 0), new Variant("round 8 + implants 0.1", 8, 0.1));

    @Test
    void speedupAgainstMacs() {
        Path dir = Path.of(System.getProperty("hap.bench.latencyModels", "/tmp/onnx-hap-latency"));
        Assumptions.assumeTrue(Files.isDirectory(dir), "no models in " + dir + ": run tools/make_latency_models.py");
        int batch = Integer.getInteger("hap.bench.batch", 8);
        int threads = Integer.getInteger("hap.bench.threads", 2);
        List<Double> ratios = List.of(System.getProperty("hap.bench.ratios", "0.3,0.5,0.7").split(",")).stream()
                .map(Double::parseDouble).toList();
        String only = System.getProperty("hap.bench.only", "");
        var runtime = new CompressOptions.Runtime(OrtModel.Options.defaults().withThreads(threads), TfModel.Device.CPU);
        System.out.printf("%nSpeed-up benchmark: batch %d, %d ONNX Runtime threads, l1 criterion, no retraining%n",
                batch, threads);
        System.out.println("model          ratio  variant                    params removed  MACs ratio  speed-up"
                + "  speed-up/MACs  width");
        for (String name : List.of("resnet18", "mobilenet_v2", "bert_base4")) {
            Path file = dir.resolve(name + ".onnx");
            if (!Files.exists(file) || (!only.isBlank() && !name.contains(only))) {
                continue;
            }
            OnnxModel model = ModelIO.load(file);
            Map<String, long[]> shapes = InputShapes.resolve(Graph.of(model), Map.of(), batch);
            for (double ratio : ratios) {
                for (Variant v : VARIANTS) {
                    var options = new CompressOptions(new PlanOptions(ratio, 0.95, Set.of(), v.roundTo()), "l1", 0,
                            Map.of(), 0.5, shapes, CompressOptions.Calibration.none(),
                            new CompressOptions.Implanting(v.implantRatio(), ChannelImplant.Style.LOWRANK, false),
                            runtime);
                    var outcome = CompressionJob.run(new HapRequest(model, HapRequest.hash(model), options, 1,
                                    CompressionJob.Data.of(null, null, null, 0), TrainConfig.defaults().withEpochs(0),
                                    null, false, null, 0.0), OrtShapeOracle.INSTANCE, CompressionJob.Progress.SILENT);
                    var r = outcome.report();
                    double macs = (double) r.macsBefore() / r.macsAfter();
                    double speedup = outcome.speed().speed().speedup();
                    System.out.printf("%-14s %.1f    %-25s  %13.1f%%  %9.2fx  %7.2fx  %13.2f  %5s%n", name, ratio,
                            v.name(), 100.0 * (r.paramsBefore() - r.paramsAfter()) / r.paramsBefore(), macs, speedup,
                            speedup / macs, outcome.widths() == null ? v.roundTo() : outcome.widths().width());
                }
            }
        }
    }
}
