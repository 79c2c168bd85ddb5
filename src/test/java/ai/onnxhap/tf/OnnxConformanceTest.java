package ai.onnxhap.tf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataLoader.TestCase;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs ONNX's own backend node tests through the TF importer: every test whose ops the registry claims is
 * attempted and compared with the expected outputs (floating values within 1e-4 relative + 1e-5 absolute,
 * the rest exactly). {@code tf-conformance-pass.txt} lists the tests expected to pass; one of them failing
 * fails the suite, newly passing ones are printed as a hint to add them. {@code -Dhap.tf.conformance.write=FILE}
 * writes the current pass list.
 */
class OnnxConformanceTest {
    static final Path NODE_TESTS = Path.of("/usr/share/libonnx-testdata/data/node");
    private static final double REL = 1e-4;
    private static final double ABS = 1e-5;

    @Test
    void backendNodeTestsMatchTheirExpectedOutputs() throws IOException {
        assertTrue(Files.isDirectory(NODE_TESTS),
                NODE_TESTS + " is missing: install libonnx-testdata (sudo apt-get install libonnx-testdata)");
        Set<String> expected = expectedPasses();
        List<Path> dirs;
        try (Stream<Path> s = Files.list(NODE_TESTS)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        Map<String, String> failures = new TreeMap<>();
        Set<String> passed = new TreeSet<>();
        int attempted = 0;
        long start = System.nanoTime();
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            OnnxModel model = ModelIO.load(dir.resolve("model.onnx"));
            if (!claimed(model) && !expected.contains(name)) {
                continue;
            }
            attempted++;
            String problem;
            try {
                problem = check(model, testCase(dir.resolve("test_data_set_0")));
            } catch (OnnxHapException | IllegalArgumentException | IllegalStateException e) {
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (problem == null) {
                passed.add(name);
            } else {
                failures.put(name, problem);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Set<String> regressed = new TreeSet<>(expected);
        regressed.removeAll(passed);
        Set<String> newlyPassing = new TreeSet<>(passed);
        newlyPassing.removeAll(expected);
        System.out.printf("TF conformance: %d passed of %d attempted (%d node tests, %d listed) in %.1f s%n",
                passed.size(), attempted, dirs.size(), expected.size(), seconds);
        failures.forEach((k, v) -> System.out.println("  fails: " + k + ": " + v));
        if (!newlyPassing.isEmpty()) {
            System.out.println("Newly passing (add to tf-conformance-pass.txt): " + newlyPassing);
        }
        String write = System.getProperty("hap.tf.conformance.write", "");
        if (!write.isEmpty()) {
            Files.writeString(Path.of(write), String.join("\n", passed) + "\n");
        }
        StringBuilder msg = new StringBuilder();
        regressed.forEach(r -> msg.append("\n  ").append(r).append(": ").append(failures.getOrDefault(r, "not run")));
        assertTrue(regressed.isEmpty(), regressed.size() + " listed node tests no longer pass:" + msg);
    }

    /** True when every node of the model has a handler at its opset (the importer claims the op). */
    static boolean claimed(OnnxModel model) {
        Graph g = Graph.of(model);
        long opset = g.opset("");
        if (opset == 0 || opset > OpHandlers.MAX_OPSET) {
            return false;
        }
        for (Node n : g.nodes()) {
            if (!n.domain().isEmpty() || OpHandlers.standard().find(n.opType(), opset).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Null when the TF outputs match; otherwise why not. Inputs are fed by position. Tests that pass axes,
     * pads, scales or shapes as graph inputs are built again with every input but the first fixed, as an
     * exporter would have written them as initializers.
     */
    static String check(OnnxModel model, TestCase tc) {
        Graph g = Graph.of(model);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        List<Tensor> given = new ArrayList<>(tc.inputs().values());
        for (int i = 0; i < g.inputs().size() && i < given.size(); i++) {
            String name = g.inputs().get(i).name();
            inputs.put(name, given.get(i).withName(name));
            shapes.put(name, given.get(i).shape());
        }
        TfModel tf;
        try {
            tf = TfModel.build(model, shapes);
        } catch (OnnxHapException e) {
            if (!e.getMessage().contains("must be known when the graph is built")) {
                throw e;
            }
            Map<String, Tensor> fixed = new HashMap<>(inputs);
            fixed.remove(g.inputs().get(0).name());
            tf = TfModel.build(model, shapes, fixed);
        }
        try (TfModel m = tf) {
            Map<String, Tensor> got = m.run(inputs);
            List<Tensor> want = new ArrayList<>(tc.outputs().values());
            List<String> names = m.outputNames();
            for (int i = 0; i < want.size(); i++) {
                String problem = TfTesting.mismatch(want.get(i), got.get(names.get(i)), REL, ABS);
                if (problem != null) {
                    return "output '" + names.get(i) + "': " + problem;
                }
            }
            return null;
        }
    }

    /** The data set; also one without inputs (a Constant), which DataLoader refuses. */
    static TestCase testCase(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            if (s.anyMatch(p -> p.getFileName().toString().startsWith("input_"))) {
                return DataLoader.loadTestCases(dir).get(0);
            }
        }
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        for (int i = 0; Files.exists(dir.resolve("output_" + i + ".pb")); i++) {
            outputs.put("output_" + i, DataLoader.readTensorProto(dir.resolve("output_" + i + ".pb")));
        }
        return new TestCase(dir.getFileName().toString(), Map.of(), outputs);
    }

    static Set<String> expectedPasses() throws IOException {
        Set<String> out = new TreeSet<>();
        try (InputStream in = OnnxConformanceTest.class.getResourceAsStream("/tf-conformance-pass.txt")) {
            if (in == null) {
                return out;
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                r.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(out::add);
            }
        }
        return out;
    }
}
