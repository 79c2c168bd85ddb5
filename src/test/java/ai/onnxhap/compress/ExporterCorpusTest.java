package ai.onnxhap.compress;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.rewrite.Surgeon;
import ai.onnxhap.testing.Masking;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtShapeOracle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Models as PyTorch's exporter writes them (ResNet, MobileNet, SqueezeNet, DenseNet, ShuffleNet, EfficientNet,
 * VGG, ViT, TransformerEncoder at opsets 13 and 17): compress --criterion l1 --ratio 0.3 must give a model ONNX
 * Runtime runs, with fewer MACs, equal to the masked original; a model that cannot be pruned must say why.
 * testdata/corpus holds tiny variants; -Dhap.corpus=DIR adds a full-size corpus from tools/make_corpus.py --full.
 */
class ExporterCorpusTest {

    static List<Path> corpus() throws IOException {
        List<Path> dirs = new ArrayList<>(List.of(TestModels.testdata().resolve("corpus")));
        String extra = System.getProperty("hap.corpus", "");
        if (!extra.isBlank()) {
            dirs.add(Path.of(extra));
        }
        List<Path> models = new ArrayList<>();
        for (Path d : dirs) {
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(models::add);
            }
        }
        return models;
    }

    @Test
    void everyExportedArchitecturePrunesEquivalently() throws IOException {
        List<Path> models = corpus();
        assertTrue(models.size() >= 16, "corpus has " + models.size() + " models");
        List<String> failures = new ArrayList<>();
        System.out.println("model                          groups  pruned  params removed  MACs ratio  max rel err");
        for (Path file : models) {
            String name = file.getFileName().toString();
            try {
                OnnxModel model = ModelIO.load(file);
                Map<String, long[]> shapes = InputShapes.resolve(Graph.of(model), Map.of(), 1);
                var options = new CompressOptions(new PlanOptions(0.3, 0.9, Set.of(), 1), "l1", 0, Map.of(), 0.5, shapes);
                Compressor.Result result;
                try {
                    result = new Compressor(OrtShapeOracle.INSTANCE).compress(model, "", options, false);
                } catch (OnnxHapException e) {
                    assertTrue(e.getMessage().startsWith("nothing in"), name + ": " + e.getMessage());
                    System.out.printf("%-30s not prunable: %s%n", name, e.getMessage());
                    continue;
                }
                var report = result.report();
                if (report.macsAfter() >= report.macsBefore()) {
                    failures.add(name + ": MACs did not fall (" + report.macsBefore() + " -> " + report.macsAfter() + ")");
                }
                Map<String, PruningGroup> byId = new LinkedHashMap<>();
                result.groups().forEach(g -> byId.put(g.id(), g));
                List<Surgeon.Cut> cuts = report.plan().decisions().stream().filter(d -> d.removedUnits().length > 0)
                        .map(d -> new Surgeon.Cut(byId.get(d.group()), d.removedUnits())).toList();
                boolean exact = cuts.stream().allMatch(c -> c.group().exact());
                var inputs = OrtShapeOracle.syntheticInputs(Graph.of(model), InputShapes.resolve(Graph.of(model), Map.of(), 2), 1);
                double err = Masking.relativeError(Masking.run(Masking.masked(model, cuts), inputs), Masking.run(result.model(), inputs));
                if (exact && err > 1e-4) {
                    failures.add(name + ": pruned differs from masked by " + err);
                }
                System.out.printf("%-30s %6d  %6d  %13.1f%%  %9.2fx  %11.2e%s%n", name, result.groups().size(),
                        cuts.size(), 100.0 * (report.paramsBefore() - report.paramsAfter()) / report.paramsBefore(),
                        (double) report.macsBefore() / report.macsAfter(), err, exact ? "" : " (inexact groups)");
            } catch (RuntimeException e) {
                failures.add(name + ": " + e);
            }
        }
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
    }

    /**
     * Implants on every architecture: the result runs in ORT with finite outputs, the layers with implanted
     * units keep their width, and what the plan removes net of the implants meets the budget (or the caps bind).
     */
    @Test
    void everyExportedArchitectureTakesImplants() throws IOException {
        List<String> failures = new ArrayList<>();
        int implanted = 0;
        List<Path> models = corpus();
        for (int i = 0; i < models.size(); i++) {
            Path file = models.get(i);
            String name = file.getFileName().toString();
            var style = i % 2 == 0 ? ai.onnxhap.rewrite.ChannelImplant.Style.LOWRANK
                    : ai.onnxhap.rewrite.ChannelImplant.Style.POINTWISE;
            try {
                OnnxModel model = ModelIO.load(file);
                Map<String, long[]> shapes = InputShapes.resolve(Graph.of(model), Map.of(), 1);
                var options = new CompressOptions(new PlanOptions(0.3, 0.9, Set.of(), 1), "l1", 0, Map.of(), 0.5, shapes,
                        new CompressOptions.Calibration(null, true, 4, 1, 4),
                        new CompressOptions.Implanting(0.3, style, true));
                Compressor.Result result;
                try {
                    result = new Compressor(OrtShapeOracle.INSTANCE).compress(model, "", options, false);
                } catch (OnnxHapException e) {
                    continue; // not prunable at all: covered above
                }
                var report = result.report();
                implanted += report.implants().size();
                var plan = report.plan();
                boolean capped = plan.decisions().stream().anyMatch(d -> d.status() == ai.onnxhap.plan.GroupDecision.Status.PRUNED);
                if (plan.plannedParams() < plan.targetParams() && !capped) {
                    failures.add(name + ": net removal " + plan.plannedParams() + " < target " + plan.targetParams());
                }
                var inputs = OrtShapeOracle.syntheticInputs(Graph.of(model), InputShapes.resolve(Graph.of(model), Map.of(), 2), 1);
                for (Tensor t : Masking.run(result.model(), inputs).values()) {
                    for (float v : t.floats()) {
                        if (!Float.isFinite(v)) {
                            failures.add(name + ": non-finite output");
                            break;
                        }
                    }
                }
                System.out.printf("%-30s %s implants: %d, params removed %.1f%%%n", name, style,
                        report.implants().size(), 100.0 * (report.paramsBefore() - report.paramsAfter()) / report.paramsBefore());
            } catch (RuntimeException e) {
                failures.add(name + " (" + style + "): " + e);
            }
        }
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
        assertTrue(implanted >= models.size(), "only " + implanted + " implants over " + models.size() + " models");
    }
}
