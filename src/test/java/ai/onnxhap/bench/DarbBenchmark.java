package ai.onnxhap.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.compress.AccuracyGate;
import ai.onnxhap.compress.CompressionJob;
import ai.onnxhap.compress.DarbCompression;
import ai.onnxhap.compress.DarbOptions;
import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.sparse.SparsityPattern;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.Validator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * DARB against fixed-block, row-balanced and irregular magnitude pruning on the LSTM and MLP fixtures, at 8×, 16×
 * and 25× of every weight matrix of at least 4096 elements, each retrained with the same budget (Adam, masks
 * fixed) and scored on 2,000 Fashion-MNIST test images the fixtures never saw. Also: index bits per kept weight
 * of each layout, the ONNX file size (sparse_initializer, COO int64 indices) and the packed size of the pruned
 * weights (32-bit values plus the layout's index bits).
 * Data: /usr/bin/python3 tools/bench_train_torch.py --export /tmp/onnx-hap-bench.
 * Run: mvn test -Pbench -Dtest=DarbBenchmark -Dhap.test.heap=4g
 * [-Dhap.bench.samples=30000 -Dhap.bench.epochs=3 -Dhap.bench.lr=3e-3 -Dhap.bench.ratios=8,16,25 -Dhap.bench.models=lstm,mlp]
 */
@Tag("benchmark")
class DarbBenchmark {
    private static final CompressionJob.Progress QUIET = new CompressionJob.Progress() {
        @Override
        public void probeDone(int done, int total) {
        }
    };

    @Test
    void darbAgainstFixedBlockRowBalancedAndIrregular() {
        Path dir = Path.of(System.getProperty("hap.bench.data", "/tmp/onnx-hap-bench"));
        assertTrue(Files.exists(dir.resolve("fmnist_train_x.npy")), "run tools/bench_train_torch.py --export " + dir);
        int samples = Integer.getInteger("hap.bench.samples", 30000);
        int epochs = Integer.getInteger("hap.bench.epochs", 3);
        for (String name : System.getProperty("hap.bench.models", "lstm,mlp").split(",")) {
            OnnxModel model = ModelIO.load(TestModels.testdata().resolve(name + "_fmnist.onnx"));
            DataSet train = images(model, dir, "train").slice(0, samples);
            DataSet val = images(model, dir, "test").slice(0, 2000);
            double base;
            try (OrtModel ort = OrtModel.open(model)) {
                base = Validator.accuracy(ort.run(val, 256).get("logits"), val.labels().orElseThrow());
            }
            long baseBytes = model.toBytes().length;
            System.out.printf(Locale.ROOT, "%nDARB benchmark: %s, %d training samples, %d epoch(s) Adam %s cosine, "
                    + "%d validation samples; unpruned accuracy %.2f%%, file %,d bytes%n", model.label(), train.size(),
                    epochs, System.getProperty("hap.bench.lr", "3e-3"), val.size(), 100 * base, baseBytes);
            System.out.println("ratio  pattern       achieved  acc. before  acc. after   drop  index bits  "
                    + "file bytes  packed weight bytes");
            TrainConfig none = config(0);
            TrainConfig training = config(epochs);
            for (String r0 : System.getProperty("hap.bench.ratios", "8,16,25").split(",")) {
                double ratio = Double.parseDouble(r0);
                for (SparsityPattern p : SparsityPattern.values()) {
                    long t0 = System.nanoTime();
                    DarbOptions options = DarbOptions.of(ratio).withPattern(p);
                    var before = DarbCompression.run(model, options, new AccuracyGate.Settings(null, val, none, null,
                            OrtModel.Options.defaults(), TfModel.Device.CPU), QUIET);
                    var after = DarbCompression.run(model, options, new AccuracyGate.Settings(train, val, training,
                            null, OrtModel.Options.defaults(), TfModel.Device.CPU), QUIET);
                    var t = after.report().totals();
                    double packed = t.kept() * (32 + t.indexBits()) / 8;
                    System.out.printf(Locale.ROOT, "%4.0fx  %-12s  %7.2fx  %10.2f%%  %9.2f%%  %5.2f  %10.2f  %10d  "
                                    + "%19.0f   (%.0f s)%n", ratio, p.label(), t.ratio(),
                            100 * before.gate().comparison().candidateAccuracy(),
                            100 * after.gate().comparison().candidateAccuracy(), after.gate().drop(), t.indexBits(),
                            after.model().toBytes().length, packed, (System.nanoTime() - t0) / 1e9);
                }
            }
        }
    }

    /** The images [N, 1, 28, 28] reshaped to the model's input ([N, 28, 28] rows for the LSTM, [N, 784] for the MLP). */
    private static DataSet images(OnnxModel model, Path dir, String split) {
        DataSet d = DataLoader.load(dir.resolve("fmnist_" + split + "_x.npy"), dir.resolve("fmnist_" + split + "_y.npy"));
        var input = ai.onnxhap.graph.Graph.of(model).inputs().get(0);
        long[] dims = input.dims().clone();
        dims[0] = d.size();
        ai.onnxhap.model.Tensor x = d.inputs().values().iterator().next();
        return ModelInputs.bind(new DataSet(java.util.Map.of(input.name(), x.reshape(dims)), d.labels().orElseThrow()),
                model);
    }

    private static TrainConfig config(int epochs) {
        double lr = Double.parseDouble(System.getProperty("hap.bench.lr", "3e-3"));
        return new TrainConfig(epochs, 64, lr, TrainConfig.Optimizer.ADAM, 0.9, 0, TrainConfig.Schedule.COSINE, 1, 0.1,
                4.0, 0);
    }
}
