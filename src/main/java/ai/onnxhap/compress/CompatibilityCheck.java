package ai.onnxhap.compress;

import ai.onnxhap.graph.ExportHabits;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.GroupFinder;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.OpHandlers;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Runs the checks behind {@code onnx-hap check}. */
public final class CompatibilityCheck {
    /** TF and ORT differ by float rounding only; more than this means a translation problem. */
    public static final double TOLERANCE = 1e-3;

    private CompatibilityCheck() {
    }

    /**
     * What {@code check} is asked: a model, the input shapes it runs at, and where its TensorFlow and ONNX Runtime
     * sessions run.
     */
    public record Request(OnnxModel model, Map<String, long[]> inputShapes, CompressOptions.Runtime runtime) {
        public Request {
            inputShapes = Map.copyOf(inputShapes);
            java.util.Objects.requireNonNull(runtime, "runtime");
        }
    }

    public static CheckReport run(OnnxModel model, Map<String, long[]> inputShapes) {
        return run(new Request(model, inputShapes, CompressOptions.Runtime.defaults()));
    }

    public static CheckReport run(Request request) {
        OnnxModel model = request.model();
        Map<String, long[]> inputShapes = request.inputShapes();
        // compress works on the model with exporters' habits undone (shape-decided Ifs inlined); so does the check
        model = ExportHabits.normalize(model, m -> OrtShapeOracle.INSTANCE.shapes(m, inputShapes));
        Map<String, long[]> shapes = OrtShapeOracle.INSTANCE.shapes(model, inputShapes);
        Graph graph = Graph.of(model);
        OpHandlers handlers = OpHandlers.standard();
        TreeSet<String> unsupported = new TreeSet<>();
        for (Node n : graph.nodes()) {
            // contrib ops (com.microsoft) are looked up in their own domain, at the opset the model imports for it
            if (handlers.find(n.domain(), n.opType(), graph.opset(n.domain())).isEmpty()) {
                unsupported.add((n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType());
            }
        }
        List<PruningGroup> groups = new GroupFinder(graph, shapes).findAll();
        Map<String, Integer> byKind = new TreeMap<>();
        List<String> blocked = new ArrayList<>();
        List<CheckReport.Prunable> prunable = new ArrayList<>();
        for (PruningGroup g : groups) {
            if (g.prunable()) {
                byKind.merge(g.kind().label(), 1, Integer::sum);
                prunable.add(new CheckReport.Prunable(g.id(), g.kind().label(), g.units(), g.exact()));
            } else {
                blocked.add(g.id() + ": " + g.reason());
            }
        }
        Double error = null;
        String importError = null;
        if (unsupported.isEmpty()) {
            Map<String, Tensor> inputs = OrtShapeOracle.syntheticInputs(graph, inputShapes, 0);
            try (TfModel tf = TfModel.build(model, inputShapes, request.runtime().device());
                 OrtModel ort = OrtModel.open(model, request.runtime().ort())) {
                error = relativeError(ort.run(inputs), tf.run(inputs));
            } catch (OnnxHapException e) {
                importError = e.getMessage();
            } catch (org.tensorflow.exceptions.TensorFlowException e) {
                // A TF kernel that refuses the imported graph is a gap in our import: report it, don't crash.
                importError = "TensorFlow cannot run the imported graph: " + e.getMessage().lines().findFirst().orElse("");
            }
        }
        boolean ok = unsupported.isEmpty() && importError == null && error != null && error <= TOLERANCE;
        return new CheckReport(model.label(), List.copyOf(unsupported), importError, groups.size(), byKind, prunable, blocked,
                error, TOLERANCE, ok);
    }

    private static double relativeError(Map<String, Tensor> reference, Map<String, Tensor> candidate) {
        double err = 0;
        double scale = 1e-12;
        for (String name : reference.keySet()) {
            double[] a = reference.get(name).toDoubles();
            double[] b = candidate.get(name).toDoubles();
            for (int i = 0; i < a.length; i++) {
                err = Math.max(err, Math.abs(a[i] - b[i]));
                scale = Math.max(scale, Math.abs(a[i]));
            }
        }
        return err / scale;
    }
}
