package ai.onnxhap.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.graph.ModelInspector;
import ai.onnxhap.graph.ModelSummary;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.report.Units;
import ai.onnxhap.validate.OrtShapeOracle;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load + save + inspect of a large model, timed per phase, with the peak Java heap. Runs under -Xmx1g in
 * the bench profile, so finishing at all shows the heap target holds. Not a pass/fail timing test:
 * it prints figures. Run with tools/bench-io.sh.
 */
@Tag("benchmark")
class IoBenchmark {
    @TempDir
    Path dir;

    @Test
    void loadSaveInspect() throws Exception {
        String modelPath = System.getProperty("hap.bench.model", "");
        assertTrue(!modelPath.isBlank() && Files.exists(Path.of(modelPath)),
                "set -Dhap.bench.model to a model file (tools/bench-io.sh makes a ResNet-50)");
        Path model = Path.of(modelPath);
        System.out.printf("%nI/O benchmark: %s (%s), %d cores, max heap %s%n", model.getFileName(),
                Units.bytes(Files.size(model)), Runtime.getRuntime().availableProcessors(),
                Units.bytes(Runtime.getRuntime().maxMemory()));
        System.out.println("run    load(s)  save(s)  inspect(s)  total(s)  peak heap");
        for (int run = 1; run <= 4; run++) {
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            long t0 = System.nanoTime();
            OnnxModel loaded = ModelIO.load(model);
            long t1 = System.nanoTime();
            ModelIO.save(loaded, dir.resolve("copy.onnx"));
            long t2 = System.nanoTime();
            Graph graph = Graph.of(loaded);
            Map<String, long[]> shapes = InputShapes.resolve(graph, Map.of(), 1);
            ModelSummary summary = new ModelInspector(OrtShapeOracle.INSTANCE).inspect(loaded, shapes);
            long t3 = System.nanoTime();
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            System.out.printf("%-5s  %7.3f  %7.3f  %10.3f  %8.3f  %s%n", run == 1 ? "cold" : "warm" + (run - 1),
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t3 - t0) / 1e9, Units.bytes(peak));
            if (run == 1) {
                System.out.printf("model: %,d parameters, %s MACs at batch 1%n", summary.parameters(),
                        Units.count(summary.macs()));
            }
        }
        System.out.println("targets: total under 3 s, peak heap under 1 GiB (the JVM runs with -Xmx1g)");
    }
}
