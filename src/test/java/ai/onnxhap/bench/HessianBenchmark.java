package ai.onnxhap.bench;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.report.Json;
import ai.onnxhap.score.HutchinsonTrace;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.FineTune;
import ai.onnxhap.tf.train.Loss;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hutchinson Hessian traces on the residual CNN fixture: onnx-hap (central differences of TF gradients) against
 * PyTorch double back-propagation (tools/bench_hessian_torch.py) on the same weights, samples and probe count.
 * Prints time per 1,000 samples, the ratio, and the per-weight traces side by side (independent probes, so
 * they agree within the estimator's spread). Run: mvn test -Pbench -Dtest=HessianBenchmark
 * [-Dhap.bench.probes=16 -Dhap.bench.samples=256]
 */
@Tag("benchmark")
class HessianBenchmark {
    @Test
    void oursAgainstPytorch() throws Exception {
        int probes = Integer.getInteger("hap.bench.probes", 16);
        int samples = Integer.getInteger("hap.bench.samples", 256);
        Path modelPath = TestModels.testdata().resolve("resnet_fmnist.onnx");
        Path npz = TestModels.testdata().resolve("resnet_fmnist.npz");
        OnnxModel model = ModelIO.load(modelPath);
        DataSet data = ModelInputs.bind(DataLoader.load(npz), model).slice(0, samples);
        Map<String, Integer> weights = new LinkedHashMap<>();
        model.proto().getGraph().getInitializerList().stream().filter(t -> t.getDimsCount() >= 2)
                .forEach(t -> weights.put(t.getName(), 0));
        long t0 = System.nanoTime();
        Map<String, double[]> diagonal;
        try (TfModel tf = TfModel.build(model)) {
            var trace = new HutchinsonTrace(FineTune.trainable(tf), "logits", Loss.CROSS_ENTROPY, 1.0, weights);
            diagonal = trace.diagonal(data, data.labels().orElseThrow(), probes, 64,
                    Double.parseDouble(System.getProperty("hap.bench.eps", "1e-3")), 0,
                    HutchinsonTrace.ProbeListener.NONE);
        }
        double ours = (System.nanoTime() - t0) / 1e9;
        JsonNode torch = pytorch(modelPath, npz, probes, samples);
        System.out.printf("%nHessian benchmark: resnet_fmnist, %d samples, %d probes%n", samples, probes);
        System.out.printf("onnx-hap (TF, central differences)   %7.2f s  = %6.2f s per 1,000 samples%n", ours,
                ours * 1000 / samples);
        if (torch == null) {
            System.out.println("PyTorch: not run (/usr/bin/python3 with torch and onnx not found)");
            return;
        }
        double theirs = torch.get("seconds").asDouble();
        System.out.printf("PyTorch (double back-propagation)     %7.2f s  = %6.2f s per 1,000 samples%n", theirs,
                theirs * 1000 / samples);
        System.out.printf("time ratio onnx-hap / PyTorch: %.2f (target: at most 1)%n", ours / theirs);
        System.out.println("weight                 trace (onnx-hap)  trace (PyTorch)");
        for (String w : weights.keySet()) {
            double a = Arrays.stream(diagonal.get(w)).sum();
            double b = torch.get("traces").get(w).asDouble();
            System.out.printf("%-22s %16.3f %16.3f%n", w, a, b);
        }
    }

    private static JsonNode pytorch(Path model, Path npz, int probes, int samples) throws Exception {
        Path script = TestModels.testdata().resolveSibling("tools").resolve("bench_hessian_torch.py");
        if (!Files.exists(Path.of("/usr/bin/python3"))) {
            return null;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), model.toString(), npz.toString(),
                "--probes", Integer.toString(probes), "--samples", Integer.toString(samples)).start();
        String last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = in.readLine()) != null; ) {
                last = line;
            }
        }
        return p.waitFor() == 0 && last != null ? Json.mapper().readTree(last) : null;
    }
}
