package ai.onnxhap.bench;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.provenance.Json;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hutchinson Hessian traces on the residual CNN fixture: onnx-hap, by exact Hessian-vector products (double
 * back-propagation) and by central differences of TF gradients, against PyTorch double back-propagation
 * (tools/bench_hessian_torch.py) on the same weights, samples and probe count.
 * Prints time per 1,000 samples, the ratio, and the per-weight traces side by side (independent probes, so
 * they agree within the estimator's spread). Run: mvn test -Pbench -Dtest=HessianBenchmark
 * [-Dhap.bench.probes=16 -Dhap.bench.samples=256 -Dhap.bench.routes=exact,fd]
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
        Map<HutchinsonTrace.Route, Map<String, double[]>> diagonals = new LinkedHashMap<>();
        Map<HutchinsonTrace.Route, Double> seconds = new LinkedHashMap<>();
        for (HutchinsonTrace.Route route : routes()) {
            long t0 = System.nanoTime();
            try (TfModel tf = TfModel.build(model)) {
                var trace = new HutchinsonTrace(FineTune.trainable(tf), "logits", Loss.CROSS_ENTROPY, 1.0, weights,
                        route);
                HutchinsonTrace.Diagonal d = trace.diagonal(data, data.labels().orElseThrow(),
                        HutchinsonTrace.Probes.fixed(probes), 64,
                        Double.parseDouble(System.getProperty("hap.bench.eps", "1e-3")), 0,
                        HutchinsonTrace.ProbeListener.NONE);
                if (d.route() != route) {
                    throw new AssertionError(route + " asked for, " + d.route() + " taken: " + trace.whyNotExact());
                }
                diagonals.put(route, d.values());
            }
            seconds.put(route, (System.nanoTime() - t0) / 1e9);
        }
        // Shared directions: the same few probes on both sides, so per-weight v·(Hv) must agree to float32 rounding.
        int sharedProbes = Integer.getInteger("hap.bench.shared", 2);
        Path dir = Files.createTempDirectory("onnx-hap-hvp");
        List<String> names = List.copyOf(weights.keySet());
        float[][][] directions = sharedDirections(model, names, sharedProbes, dir);
        Map<HutchinsonTrace.Route, double[][]> sharedOurs = new LinkedHashMap<>();
        for (HutchinsonTrace.Route route : routes()) {
            try (TfModel tf = TfModel.build(model)) {
                var trace = new HutchinsonTrace(FineTune.trainable(tf), "logits", Loss.CROSS_ENTROPY, 1.0, weights,
                        route);
                double[][] vhv = new double[sharedProbes][names.size()];
                for (int p = 0; p < sharedProbes; p++) {
                    float[][] hv = trace.hessianVectorProduct(directions[p], data, data.labels().orElseThrow(), 64,
                            Double.parseDouble(System.getProperty("hap.bench.eps", "1e-3")));
                    for (int k = 0; k < names.size(); k++) {
                        for (int i = 0; i < hv[k].length; i++) {
                            vhv[p][k] += (double) directions[p][k][i] * hv[k][i];
                        }
                    }
                }
                sharedOurs.put(route, vhv);
            }
        }
        JsonNode torch = pytorch(modelPath, npz, probes, samples, dir);
        System.out.printf("%nHessian benchmark: resnet_fmnist, %d samples, %d probes%n", samples, probes);
        for (var e : seconds.entrySet()) {
            System.out.printf("onnx-hap (TF, %-17s)  %7.2f s  = %6.2f s per 1,000 samples%n", label(e.getKey()),
                    e.getValue(), e.getValue() * 1000 / samples);
        }
        if (torch == null) {
            System.out.println("PyTorch: not run (/usr/bin/python3 with torch and onnx not found)");
            return;
        }
        double theirs = torch.get("seconds").asDouble();
        System.out.printf("PyTorch (double back-propagation)    %7.2f s  = %6.2f s per 1,000 samples%n", theirs,
                theirs * 1000 / samples);
        for (var e : seconds.entrySet()) {
            System.out.printf("time ratio onnx-hap (%s) / PyTorch: %.2f (target: at most 1)%n", label(e.getKey()),
                    e.getValue() / theirs);
        }
        StringBuilder header = new StringBuilder(String.format("%-22s", "weight"));
        diagonals.keySet().forEach(r -> header.append(String.format(" %17s", label(r))));
        System.out.println(header.append(String.format(" %17s", "PyTorch")));
        for (String w : weights.keySet()) {
            StringBuilder row = new StringBuilder(String.format("%-22s", w));
            diagonals.values().forEach(d -> row.append(String.format(" %17.3f", Arrays.stream(d.get(w)).sum())));
            System.out.println(row.append(String.format(" %17.3f", torch.get("traces").get(w).asDouble())));
        }
        System.out.printf("%nsame %d probe directions on both sides: v·(Hv) per weight, largest relative difference "
                + "to PyTorch over the probes%n", sharedProbes);
        StringBuilder head = new StringBuilder(String.format("%-22s %17s", "weight", "PyTorch (probe 0)"));
        sharedOurs.keySet().forEach(r -> head.append(String.format(" %22s", label(r))));
        System.out.println(head);
        for (int k = 0; k < names.size(); k++) {
            StringBuilder row = new StringBuilder(String.format("%-22s %17.4f", names.get(k),
                    torch.get("shared").get(0).get(names.get(k)).asDouble()));
            for (double[][] ours : sharedOurs.values()) {
                double worst = 0;
                for (int p = 0; p < sharedProbes; p++) {
                    double ref = torch.get("shared").get(p).get(names.get(k)).asDouble();
                    worst = Math.max(worst, Math.abs(ours[p][k] - ref) / Math.max(Math.abs(ref), 1e-12));
                }
                row.append(String.format(" %22.2e", worst));
            }
            System.out.println(row);
        }
    }

    /** Rademacher directions for the shared probes, kept here and written where the PyTorch side reads them. */
    private static float[][][] sharedDirections(OnnxModel model, List<String> names, int probes, Path dir)
            throws Exception {
        Map<String, Long> sizes = new LinkedHashMap<>();
        model.proto().getGraph().getInitializerList().forEach(t -> sizes.put(t.getName(),
                t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b)));
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        float[][][] v = new float[probes][names.size()][];
        for (int p = 0; p < probes; p++) {
            for (int k = 0; k < names.size(); k++) {
                v[p][k] = new float[Math.toIntExact(sizes.get(names.get(k)))];
                for (int i = 0; i < v[p][k].length; i++) {
                    v[p][k][i] = rnd.nextBoolean() ? 1f : -1f;
                }
            }
        }
        for (int k = 0; k < names.size(); k++) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * probes * v[0][k].length)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int p = 0; p < probes; p++) {
                for (float x : v[p][k]) {
                    b.putFloat(x);
                }
            }
            Files.write(dir.resolve(k + ".f32"), b.array());
        }
        Files.writeString(dir.resolve("probes.json"), Json.mapper().writeValueAsString(
                Map.of("weights", names, "probes", probes)));
        return v;
    }

    /** -Dhap.bench.routes=exact,fd (default both): which Hessian-vector product routes to time. */
    private static List<HutchinsonTrace.Route> routes() {
        return Arrays.stream(System.getProperty("hap.bench.routes", "exact,fd").split(","))
                .map(r -> r.trim().equals("fd") ? HutchinsonTrace.Route.FINITE_DIFFERENCE : HutchinsonTrace.Route.EXACT)
                .toList();
    }

    private static String label(HutchinsonTrace.Route route) {
        return route == HutchinsonTrace.Route.EXACT ? "exact HVP" : "central differences";
    }

    private static JsonNode pytorch(Path model, Path npz, int probes, int samples, Path shared) throws Exception {
        Path script = TestModels.testdata().resolveSibling("tools").resolve("bench_hessian_torch.py");
        if (!Files.exists(Path.of("/usr/bin/python3"))) {
            return null;
        }
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), model.toString(),
                npz.toString(), "--probes", Integer.toString(probes), "--samples", Integer.toString(samples),
                "--shared", shared.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().remove("ONEDNN_MAX_CPU_ISA"); // TF's cap would also cap PyTorch's own oneDNN
        Process p = pb.start();
        String last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = in.readLine()) != null; ) {
                last = line;
            }
        }
        return p.waitFor() == 0 && last != null ? Json.mapper().readTree(last) : null;
    }
}
