package ai.onnxhap.testing;

import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.rewrite.Surgeon;
import ai.onnxhap.validate.OrtModel;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference for surgery: the original model with the removed units silenced where they are read
 * (consumer weight slices zeroed), so they cannot influence any output. A physically pruned model must
 * compute the same outputs.
 */
public final class Masking {
    private Masking() {
    }

    /** A weight stored in another layout and reshaped before a layer reads it (CNTK's Reshape of a MatMul weight). */
    private static boolean reshapedWeight(ai.onnxhap.graph.Graph graph, String tensor) {
        var readers = graph.consumers(tensor);
        return !readers.isEmpty() && readers.stream().allMatch(n -> Set.of("Reshape", "Transpose", "Flatten")
                .contains(n.opType()) && n.input(0).equals(tensor));
    }

    public static OnnxModel masked(OnnxModel model, List<Surgeon.Cut> cuts) {
        Map<String, Map<Integer, Set<Integer>>> zero = new HashMap<>();
        ai.onnxhap.graph.Graph graph = ai.onnxhap.graph.Graph.of(model);
        for (Surgeon.Cut cut : cuts) {
            for (Member m : cut.group().parameters()) {
                if (m.role() == Member.Role.CONSUMER || m.role() == Member.Role.THROUGH && reshapedWeight(graph, m.tensor())) {
                    Set<Integer> idx = zero.computeIfAbsent(m.tensor(), k -> new HashMap<>())
                            .computeIfAbsent(m.axis(), k -> new HashSet<>());
                    for (int i : m.map().removed(cut.removedUnits())) {
                        idx.add(i);
                    }
                }
            }
        }
        GraphProto.Builder gb = model.proto().getGraph().toBuilder();
        for (int i = 0; i < gb.getInitializerCount(); i++) {
            TensorProto p = gb.getInitializer(i);
            Map<Integer, Set<Integer>> axes = zero.get(p.getName());
            if (axes == null) {
                continue;
            }
            Tensor t = model.tensor(p);
            float[] v = t.floats().clone();
            long[] shape = t.shape();
            for (Map.Entry<Integer, Set<Integer>> e : axes.entrySet()) {
                int axis = e.getKey();
                long inner = 1;
                for (int a = axis + 1; a < shape.length; a++) {
                    inner *= shape[a];
                }
                long dim = shape[axis];
                for (int flat = 0; flat < v.length; flat++) {
                    if (e.getValue().contains((int) ((flat / inner) % dim))) {
                        v[flat] = 0;
                    }
                }
            }
            gb.setInitializer(i, TensorCodec.encode(Tensor.ofFloats(p.getName(), t.type(), shape, v)));
        }
        return model.withProto(model.proto().toBuilder().setGraph(gb).build());
    }

    /** The model's outputs in ONNX Runtime. */
    public static Map<String, Tensor> run(OnnxModel m, Map<String, Tensor> inputs) {
        try (OrtModel ort = OrtModel.open(m)) {
            return ort.run(inputs);
        }
    }

    /**
     * max |a - b| / max |a| over the real-valued tensor outputs; an output missing from b or of another size is
     * infinitely far. Integer outputs (class labels) are skipped: an argmax of near-equal scores may flip, and the
     * scores themselves are compared.
     */
    public static double relativeError(Map<String, Tensor> a, Map<String, Tensor> b) {
        double err = 0;
        double scale = 1e-12;
        for (Map.Entry<String, Tensor> e : a.entrySet()) {
            Tensor y = b.get(e.getKey());
            if (y == null) {
                return Double.POSITIVE_INFINITY;
            }
            DataType.Storage storage = e.getValue().type().storage();
            if (storage == DataType.Storage.STRING) {
                continue;
            }
            double[] xs = e.getValue().toDoubles();
            double[] ys = y.toDoubles();
            if (xs.length != ys.length) {
                return Double.POSITIVE_INFINITY;
            }
            for (int i = 0; i < xs.length; i++) {
                if (storage == DataType.Storage.LONG) {
                    continue;
                }
                err = Math.max(err, Math.abs(xs[i] - ys[i]));
                scale = Math.max(scale, Math.abs(xs[i]));
            }
        }
        return err / scale;
    }
}
