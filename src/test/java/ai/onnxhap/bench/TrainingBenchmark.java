package ai.onnxhap.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.train.FineTune;
import ai.onnxhap.tf.train.Loss;
import ai.onnxhap.tf.train.ProgressListener;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One training epoch of the residual CNN fixture on Fashion-MNIST through the TF backend, beside ONNX Runtime
 * inference of the same model and, when PyTorch is installed, the same epoch in PyTorch (Adam, batch 64,
 * 2 threads). Data: /usr/bin/python3 tools/bench_train_torch.py --export /tmp/onnx-hap-bench (writes the npy
 * files). Run: mvn test -Pbench -Dtest=TrainingBenchmark -Dhap.test.heap=4g [-Dhap.bench.samples=10000]
 */
@Tag("benchmark")
class TrainingBenchmark {
    @Test
    void oneEpochTfVsOrtVsPytorch() throws Exception {
        Path dir = Path.of(System.getProperty("hap.bench.data", "/tmp/onnx-hap-bench"));
        int samples = Integer.getInteger("hap.bench.samples", 10000);
        assertTrue(Files.exists(dir.resolve("fmnist_train_x.npy")), "run tools/bench_train_torch.py --export " + dir);
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve("resnet_fmnist.onnx"));
        DataSet all = ModelInputs.bind(DataLoader.load(dir.resolve("fmnist_train_x.npy"), dir.resolve("fmnist_train_y.npy")),
                model);
        DataSet data = all.slice(0, Math.min(samples, all.size()));
        TrainConfig config = new TrainConfig(1, 64, 1e-3, TrainConfig.Optimizer.ADAM, 0.9, 0, TrainConfig.Schedule.CONSTANT,
                1, 0.1, 4.0, 0);
        long t0 = System.nanoTime();
        FineTune.Result r = FineTune.run(model, Map.of(), data, data.labels().orElseThrow(), Loss.CROSS_ENTROPY, "logits",
                config, Map.of(), Set.of(), ProgressListener.NONE);
        double tfSeconds = (System.nanoTime() - t0) / 1e9;
        double tfRate = r.history().get(0).samplesPerSecond();
        long rss = peakRssMiB();

        long t1 = System.nanoTime();
        try (OrtModel ort = OrtModel.open(model, OrtModel.Options.defaults().withThreads(2))) {
            ort.run(data, 64);
        }
        double ortRate = data.size() / ((System.nanoTime() - t1) / 1e9);

        Double torchRate = pytorch(data.size());
        System.out.printf("%nTraining benchmark: resnet_fmnist, %d Fashion-MNIST samples, batch 64, Adam%n", data.size());
        System.out.printf("TF backend epoch      %8.0f samples/s  (%.1f s incl. graph build, peak RSS %d MiB)%n", tfRate,
                tfSeconds, rss);
        System.out.printf("ORT inference         %8.0f samples/s  (reference, forward only)%n", ortRate);
        if (torchRate != null) {
            System.out.printf("PyTorch epoch         %8.0f samples/s  -> TF time / PyTorch time = %.2f (target: at most 1.5)%n",
                    torchRate, torchRate / tfRate);
        } else {
            System.out.println("PyTorch epoch         not run (/usr/bin/python3 with torch not found)");
        }
    }

    private static long peakRssMiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    private static Double pytorch(int samples) throws Exception {
        Path script = TestModels.testdata().resolveSibling("tools").resolve("bench_train_torch.py");
        if (!Files.exists(Path.of("/usr/bin/python3")) || !Files.exists(script)) {
            return null;
        }
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), "--samples",
                Integer.toString(samples)).redirectErrorStream(true);
        pb.environment().remove("ONEDNN_MAX_CPU_ISA"); // TF's cap would also cap PyTorch's own oneDNN
        Process p = pb.start();
        Double rate = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = in.readLine()) != null; ) {
                var m = java.util.regex.Pattern.compile("([0-9.]+) samples/s").matcher(line);
                if (line.startsWith("pytorch") && m.find()) {
                    rate = Double.parseDouble(m.group(1));
                }
            }
        }
        return p.waitFor() == 0 ? rate : null;
    }
}
