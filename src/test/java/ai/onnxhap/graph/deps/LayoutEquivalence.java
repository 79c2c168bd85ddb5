package ai.onnxhap.graph.deps;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.rewrite.Surgeon;
import ai.onnxhap.testing.Masking;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Checks one model's groups the way the acceptance asks: every prunable group alone, then all at once, pruned
 * physically and compared in ONNX Runtime with the original whose removed units are masked, at a batch size
 * other than the one the groups were found with (so a frozen batch axis shows).
 */
final class LayoutEquivalence {
    record Outcome(List<PruningGroup> groups, List<String> failures, double worstError) {
    }

    private LayoutEquivalence() {
    }

    static List<PruningGroup> groups(OnnxModel model) {
        Graph graph = Graph.of(model);
        Map<String, long[]> shapes = OrtShapeOracle.INSTANCE.shapes(model, InputShapes.resolve(graph, Map.of(), 1));
        return new GroupFinder(graph, shapes).findAll();
    }

    /** Removes every other unit (at least one, never all) of each prunable group. */
    static int[] everyOther(PruningGroup g) {
        return IntStream.range(0, g.units()).filter(u -> u % 2 == 1).toArray();
    }

    /** The model as compress analyses it: exporters' habits undone (same function). */
    static OnnxModel normalized(OnnxModel model) {
        return ai.onnxhap.graph.ExportHabits.normalize(model, m -> OrtShapeOracle.INSTANCE.shapes(m,
                InputShapes.resolve(Graph.of(m), Map.of(), 1)));
    }

    static Outcome check(OnnxModel original, double tolerance) {
        OnnxModel model = normalized(original);
        Graph graph = Graph.of(model);
        Map<String, long[]> shapes = OrtShapeOracle.INSTANCE.shapes(model, InputShapes.resolve(graph, Map.of(), 1));
        List<PruningGroup> groups = new GroupFinder(graph, shapes).findAll();
        Map<String, Tensor> inputs = OrtShapeOracle.syntheticInputs(graph, InputShapes.resolve(graph, Map.of(), 3), 7);
        List<String> failures = new ArrayList<>();
        double worst = 0;
        List<Surgeon.Cut> all = new ArrayList<>();
        for (PruningGroup g : groups) {
            if (!g.prunable() || g.units() < 2) {
                continue;
            }
            Surgeon.Cut cut = new Surgeon.Cut(g, everyOther(g));
            all.add(cut);
            double err = compare(model, List.of(cut), shapes, inputs, failures, g.id());
            if (g.exact()) {
                worst = Math.max(worst, err);
                if (err > tolerance) {
                    failures.add(g.id() + ": pruned differs from masked by " + err);
                }
            }
        }
        if (all.size() > 1) {
            double err = compare(model, all, shapes, inputs, failures, "all groups");
            if (all.stream().allMatch(c -> c.group().exact())) {
                worst = Math.max(worst, err);
                if (err > tolerance) {
                    failures.add("all groups at once: pruned differs from masked by " + err);
                }
            }
        }
        return new Outcome(groups, failures, worst);
    }

    private static double compare(OnnxModel model, List<Surgeon.Cut> cuts, Map<String, long[]> shapes,
                                  Map<String, Tensor> inputs, List<String> failures, String what) {
        try {
            OnnxModel pruned = Surgeon.apply(model, cuts, shapes);
            return relativeError(run(Masking.masked(model, cuts), inputs), run(pruned, inputs));
        } catch (RuntimeException e) {
            failures.add(what + ": " + e.getMessage());
            return Double.NaN;
        }
    }

    static Map<String, Tensor> run(OnnxModel m, Map<String, Tensor> inputs) {
        try (OrtModel ort = OrtModel.open(m)) {
            return ort.run(inputs);
        }
    }

    /** max |a - b| / max |a| over all outputs. */
    static double relativeError(Map<String, Tensor> a, Map<String, Tensor> b) {
        double err = 0;
        double scale = 1e-12;
        for (String k : a.keySet()) {
            double[] x = a.get(k).toDoubles();
            double[] y = b.get(k).toDoubles();
            for (int i = 0; i < x.length; i++) {
                err = Math.max(err, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(x[i]));
            }
        }
        return err / scale;
    }
}
