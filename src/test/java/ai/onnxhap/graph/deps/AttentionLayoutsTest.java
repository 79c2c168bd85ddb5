package ai.onnxhap.graph.deps;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Transformer and recurrent layouts as the libraries write them (testdata/layouts, from tools/make_layouts.py;
 * -Dhap.layouts=DIR adds more): every head, KV group, FFN neuron and RNN unit group is found, and pruning
 * each group alone and all at once equals the masked original within 1e-5 relative in ONNX Runtime.
 */
class AttentionLayoutsTest {

    static List<Path> layouts() throws IOException {
        List<Path> dirs = new ArrayList<>(List.of(TestModels.testdata().resolve("layouts")));
        String extra = System.getProperty("hap.layouts", "");
        if (!extra.isBlank()) {
            dirs.add(Path.of(extra));
        }
        List<Path> models = new ArrayList<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(models::add);
            }
        }
        return models;
    }

    /** What the attention layers (two per model) or recurrent layers of each fixture must be found as. */
    static String expectedUnits(String file) {
        if (file.startsWith("hf_llama_op") || file.startsWith("llama_fmnist") || file.startsWith("ort_gqa")) {
            return "kv-group";
        }
        if (file.matches("(lstm|gru|rnn)_.*")) {
            return "rnn-unit";
        }
        return "head";
    }

    @Test
    void everyLayoutPrunesLikeMasking() throws IOException {
        List<Path> models = layouts();
        assertTrue(!models.isEmpty(), "no layout fixtures");
        List<String> failures = new ArrayList<>();
        for (Path file : models) {
            String name = file.getFileName().toString();
            OnnxModel model = ModelIO.load(file);
            LayoutEquivalence.Outcome o;
            try {
                o = LayoutEquivalence.check(model, 1e-5);
            } catch (RuntimeException e) {
                failures.add(name + ": " + e);
                continue;
            }
            Map<String, Integer> kinds = new TreeMap<>();
            o.groups().stream().filter(PruningGroup::prunable).forEach(g -> kinds.merge(g.kind().label(), 1, Integer::sum));
            System.out.printf("%-28s %-40s max rel err %.2e%n", name, kinds, o.worstError());
            o.groups().stream().filter(g -> !g.prunable())
                    .forEach(g -> System.out.printf("%28s refused %s: %s%n", "", g.id(), g.reason()));
            o.failures().forEach(f -> failures.add(name + ": " + f));
            String expected = expectedUnits(name);
            long layers = model.proto().getGraph().getNodeList().stream()
                    .filter(n -> Set.of("LSTM", "GRU", "RNN").contains(n.getOpType())).count();
            // One Softmax per exported attention layer, or one fused attention op.
            long attention = model.proto().getGraph().getNodeList().stream()
                    .filter(n -> n.getOpType().equals("Softmax") || n.getOpType().endsWith("Attention")).count();
            long wanted = expected.equals("rnn-unit") ? layers : attention;
            long found = o.groups().stream().filter(g -> g.prunable() && g.kind().label().equals(expected)).count();
            if (found != wanted) {
                failures.add(name + ": expected one " + expected + " group per layer (" + wanted + "), found " + found);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.stream().collect(Collectors.joining("\n")));
        }
    }

    /**
     * compress as a user runs it (L1 here, so no TensorFlow; implants fitted on two calibration batches) ends
     * in a model ONNX Runtime runs on every layout: GPT-2's Gemm on [B·S, F] and sequence-first MHA outputs
     * once stopped the implant fit.
     */
    @Test
    void everyLayoutCompressesWithImplants() throws IOException {
        List<String> failures = new ArrayList<>();
        for (Path file : layouts()) {
            String name = file.getFileName().toString();
            try {
                OnnxModel model = ModelIO.load(file);
                var graph = ai.onnxhap.graph.Graph.of(model);
                var options = new ai.onnxhap.compress.CompressOptions(
                        new ai.onnxhap.plan.PlanOptions(0.5, 0.9, Set.of(), 8), "l1", 0, Map.of(), 0.5,
                        ai.onnxhap.graph.InputShapes.resolve(graph, Map.of(), 1),
                        new ai.onnxhap.compress.CompressOptions.Calibration(null, true, 96, 1, 64),
                        new ai.onnxhap.compress.CompressOptions.Implanting(0.2,
                                ai.onnxhap.rewrite.ChannelImplant.Style.LOWRANK, true));
                var result = new ai.onnxhap.compress.Compressor(ai.onnxhap.validate.OrtShapeOracle.INSTANCE)
                        .compress(model, "", options, false);
                var inputs = ai.onnxhap.validate.OrtShapeOracle.syntheticInputs(graph,
                        ai.onnxhap.graph.InputShapes.resolve(graph, Map.of(), 2), 3);
                for (var t : LayoutEquivalence.run(result.model(), inputs).values()) {
                    for (double v : t.toDoubles()) {
                        if (!Double.isFinite(v)) {
                            failures.add(name + ": non-finite output");
                            break;
                        }
                    }
                }
                if (result.report().paramsAfter() >= result.report().paramsBefore()) {
                    failures.add(name + ": nothing removed");
                }
            } catch (RuntimeException e) {
                failures.add(name + ": " + e);
            }
        }
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
    }
}
