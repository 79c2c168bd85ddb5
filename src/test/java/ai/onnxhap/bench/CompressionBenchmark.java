package ai.onnxhap.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.compress.AccuracyGate;
import ai.onnxhap.compress.CompressOptions;
import ai.onnxhap.compress.Compressor;
import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.rewrite.ChannelImplant;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.ProgressListener;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * HAP (Hessian) against L1 magnitude and random pruning on the residual CNN fixture, same fine-tuning budget,
 * accuracy on 2,000 Fashion-MNIST test images (the fixture never saw them). Data: tools/bench_train_torch.py --export /tmp/onnx-hap-bench
 * (training images) and testdata. Run: mvn test -Pbench -Dtest=CompressionBenchmark -Dhap.test.heap=4g
 * [-Dhap.bench.samples=10000 -Dhap.bench.epochs=2 -Dhap.bench.model=testdata/transformer_fmnist.onnx
 * -Dhap.bench.dense=true (also fine-tune the unpruned model with the same budget) -Dhap.bench.ranking=per-cost
 * -Dhap.bench.teacher=true (retrain by distillation from the original instead of on labels)
 * -Dhap.bench.maxLayerRatio=0.95 -Dhap.bench.val=10000 (test images to score on; 2,000 by default, ±0.8 points of binomial noise at 86%)]
 */
@Tag("benchmark")
class CompressionBenchmark {
    /** The images as the model reads them: [N, 1, 28, 28] for the CNN, [N, 28, 28] (rows as a sequence) for the transformer. */
    private static DataSet forModel(DataSet images, OnnxModel model) {
        String input = Graph.of(model).inputs().get(0).name();
        int rank = Graph.of(model).inputs().get(0).dims().length;
        String name = images.names().get(0);
        long[] shape = images.shape(name);
        if (rank == 3 && shape.length == 4 && shape[1] == 1) {
            var seq = images.input(name).reshape(new long[] {shape[0], shape[2], shape[3]});
            return new DataSet(Map.of(input, seq), images.labels().orElseThrow());
        }
        return ModelInputs.bind(images, model);
    }

    @Test
    void hapAgainstMagnitudeAndRandom() throws Exception {
        Path dir = Path.of(System.getProperty("hap.bench.data", "/tmp/onnx-hap-bench"));
        assertTrue(Files.exists(dir.resolve("fmnist_train_x.npy")), "run tools/bench_train_torch.py --export " + dir);
        String modelPath = System.getProperty("hap.bench.model", "");
        OnnxModel model = ModelIO.load(modelPath.isBlank() ? TestModels.testdata().resolve("resnet_fmnist.onnx")
                : Path.of(modelPath));
        int samples = Integer.getInteger("hap.bench.samples", 10000);
        int epochs = Integer.getInteger("hap.bench.epochs", 2);
        DataSet all = DataLoader.load(dir.resolve("fmnist_train_x.npy"), dir.resolve("fmnist_train_y.npy"));
        DataSet train = forModel(all.slice(0, Math.min(samples, all.size())), model);
        DataSet val = forModel(DataLoader.load(dir.resolve("fmnist_test_x.npy"), dir.resolve("fmnist_test_y.npy"))
                .slice(0, Integer.getInteger("hap.bench.val", 2000)), model);
        DataSet calibration = train.slice(0, 256);
        // Retrain on the original model's logits (distillation at T = 4) instead of the labels.
        DataSet fineTuning = Boolean.getBoolean("hap.bench.teacher") ? train.withoutLabels() : train;
        double maxLayerRatio = Double.parseDouble(System.getProperty("hap.bench.maxLayerRatio", "0.95"));
        PlanOptions.Ranking ranking = PlanOptions.Ranking.valueOf(System.getProperty("hap.bench.ranking", "score")
                .toUpperCase().replace('-', '_'));
        var shapes = InputShapes.resolve(Graph.of(model), Map.of(), 1);
        double base;
        try (OrtModel ort = OrtModel.open(model)) {
            base = ai.onnxhap.validate.Validator.accuracy(ort.run(val, 256).values().iterator().next(),
                    val.labels().orElseThrow());
        }
        System.out.printf("%nCompression benchmark: %s, %d training samples, %d epochs Adam 1e-3, %d validation "
                + "samples, ranking %s, retraining on %s; unpruned accuracy %.2f%%%n", model.label(), train.size(), epochs,
                val.size(), ranking.name().toLowerCase(), fineTuning == train ? "labels" : "the original's logits",
                100 * base);
        if (Boolean.getBoolean("hap.bench.dense")) {
            // The fixture was trained briefly: the same fine-tuning budget on the unpruned model says how much of
            // a pruned model's gain over the original is training rather than pruning.
            var dense = AccuracyGate.run(model, model, new AccuracyGate.Settings(fineTuning, val, training(epochs), null,
                    OrtModel.Options.defaults(), TfModel.Device.CPU), ProgressListener.NONE);
            System.out.printf("unpruned model fine-tuned with the same budget: %.2f%%%n",
                    100 * dense.comparison().candidateAccuracy());
        }
        System.out.println("ratio  criterion          params removed  MACs ratio  ORT speed-up  heads          acc. before retraining  acc. after  drop");
        for (String r0 : System.getProperty("hap.bench.ratios", "0.5,0.7").split(",")) {
            double ratio = Double.parseDouble(r0);
            for (String variant : System.getProperty("hap.bench.criteria",
                    "hessian+lowrank,hessian+pointwise,hessian,l1,random").split(",")) {
                // CRITERION[+lowrank|+pointwise]: HAP with implants of that kind for --implant-ratio 0.1
                String criterion = variant.split("\\+")[0];
                var implanting = variant.contains("+")
                        ? new CompressOptions.Implanting(0.1, ChannelImplant.Style.valueOf(
                                variant.split("\\+")[1].toUpperCase()), true)
                        : CompressOptions.Implanting.none();
                var calibrationOptions = new CompressOptions.Calibration(calibration, false, 256, 16, 64);
                var options = new CompressOptions(new PlanOptions(ratio, maxLayerRatio, Set.of(), 8).withRanking(ranking),
                        criterion, 0, Map.of(), 0.5,
                        shapes, calibrationOptions, implanting);
                var result = new Compressor(OrtShapeOracle.INSTANCE).compress(model, "", options, false);
                var before = AccuracyGate.run(model, result.model(), new AccuracyGate.Settings(null, val, training(0),
                        null, OrtModel.Options.defaults(), TfModel.Device.CPU), ProgressListener.NONE);
                var after = AccuracyGate.run(model, result.model(), new AccuracyGate.Settings(fineTuning, val,
                        training(epochs), null, OrtModel.Options.defaults(), TfModel.Device.CPU), ProgressListener.NONE);
                var r = result.report();
                int headsBefore = r.layers().stream().filter(CompressionBenchmark::isHeads).mapToInt(l -> l.unitsBefore()).sum();
                int headsAfter = r.layers().stream().filter(CompressionBenchmark::isHeads).mapToInt(l -> l.unitsAfter()).sum();
                System.out.printf("%.1f    %-17s  %13.1f%%  %9.2fx  %11.2fx  %-13s  %21.2f%%  %9.2f%%  %5.2f%n", ratio, variant,
                        100.0 * (r.paramsBefore() - r.paramsAfter()) / r.paramsBefore(),
                        (double) r.macsBefore() / r.macsAfter(), speedUp(model, result.model(), val),
                        headsBefore == 0 ? "-" : headsBefore + " -> " + headsAfter,
                        100 * before.comparison().candidateAccuracy(),
                        100 * after.comparison().candidateAccuracy(), after.drop());
            }
        }
    }

    private static boolean isHeads(ai.onnxhap.compress.LayerChange l) {
        return l.kind() == ai.onnxhap.graph.deps.PruningGroup.Kind.HEAD
                || l.kind() == ai.onnxhap.graph.deps.PruningGroup.Kind.KV_GROUP;
    }

    /**
     * Original over compressed median latency in ONNX Runtime (2 threads, batch 64), the two timed in turns
     * within one run so machine noise hits both alike.
     */
    static double speedUp(OnnxModel original, OnnxModel compressed, DataSet data) {
        var options = OrtModel.Options.defaults().withThreads(2);
        double[] a = new double[5];
        double[] b = new double[5];
        try (OrtModel o = OrtModel.open(original, options); OrtModel c = OrtModel.open(compressed, options)) {
            for (int i = 0; i < a.length; i++) {
                a[i] = ai.onnxhap.validate.LatencyBenchmark.measure(o, data, 64, 3, 20).medianMs();
                b[i] = ai.onnxhap.validate.LatencyBenchmark.measure(c, data, 64, 3, 20).medianMs();
            }
        }
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        return a[a.length / 2] / b[b.length / 2];
    }

    /** The fine-tuning budget every variant gets: Adam 1e-3, cosine schedule, batch 64. */
    private static TrainConfig training(int epochs) {
        return new TrainConfig(epochs, 64, 1e-3, TrainConfig.Optimizer.ADAM, 0.9, 1e-4, TrainConfig.Schedule.COSINE, 1,
                0.1, 4.0, 0);
    }
}
