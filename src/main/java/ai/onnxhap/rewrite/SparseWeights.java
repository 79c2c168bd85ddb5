package ai.onnxhap.rewrite;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.SparseTensorCodec;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.SparseTensorProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.plan.sparse.DarbPlan;
import ai.onnxhap.plan.sparse.MatrixLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weight-level pruning in a standard ONNX model: masks from a {@link DarbPlan} (1 = kept, 0 = pruned), the
 * masked dense model, and storage of masked weights as {@code sparse_initializer}s (COO, linear int64 indices)
 * where that makes the file smaller.
 */
public final class SparseWeights {
    private SparseWeights() {
    }

    /** How one masked weight was written. */
    public record Stored(String tensor, long elements, long kept, long denseBytes, long sparseBytes, boolean sparse) {
    }

    public record Result(OnnxModel model, List<Stored> tensors) {
        public Result {
            tensors = List.copyOf(tensors);
        }
    }

    /** Per pruned tensor, 1 at kept and 0 at pruned positions, in the tensor's shape. */
    public static Map<String, Tensor> masks(DarbPlan plan) {
        Map<String, float[]> flat = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (MatrixLayout l : plan.layouts()) {
            long[] shape = l.matrix().tensorShape();
            shapes.put(l.matrix().tensor(), shape);
            l.markKept(flat.computeIfAbsent(l.matrix().tensor(), t -> new float[(int) Tensor.elementCount(shape)]));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        flat.forEach((name, m) -> out.put(name, Tensor.ofFloats(name, shapes.get(name), m)));
        return out;
    }

    /** The model with every masked weight zeroed outside its mask. */
    public static OnnxModel applyMasks(OnnxModel model, Map<String, Tensor> masks) {
        Graph graph = Graph.of(model);
        Map<String, Tensor> values = new LinkedHashMap<>();
        masks.forEach((name, mask) -> {
            float[] w = graph.initializer(name).floats();
            float[] m = mask.floats();
            float[] out = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                out[i] = m[i] != 0 ? w[i] : 0f;
            }
            values.put(name, Tensor.ofFloats(name, mask.shape(), out));
        });
        return model.withInitializerValues(values);
    }

    /**
     * Moves each masked weight from {@code initializer} to {@code sparse_initializer} when its sparse form (values
     * plus int64 indices of the kept positions) serializes smaller than the dense one.
     *
     * @throws IllegalStateException when a pruned position holds a non-zero value (the mask was not kept)
     */
    public static Result storeSparse(OnnxModel model, Map<String, Tensor> masks) {
        Graph graph = Graph.of(model);
        GraphProto.Builder g = model.proto().getGraph().toBuilder();
        List<Stored> stored = new ArrayList<>();
        List<SparseTensorProto> sparse = new ArrayList<>();
        for (int i = g.getInitializerCount() - 1; i >= 0; i--) {
            TensorProto dense = g.getInitializer(i);
            Tensor mask = masks.get(dense.getName());
            if (mask == null) {
                continue;
            }
            Tensor w = graph.initializer(dense.getName());
            long[] positions = keptPositions(w, mask);
            SparseTensorProto s = SparseTensorCodec.encode(w, positions);
            boolean smaller = s.getSerializedSize() < dense.getSerializedSize();
            stored.add(0, new Stored(dense.getName(), w.size(), positions.length, dense.getSerializedSize(),
                    s.getSerializedSize(), smaller));
            if (smaller) {
                g.removeInitializer(i);
                sparse.add(0, s);
            }
        }
        g.addAllSparseInitializer(sparse);
        return new Result(model.withProto(model.proto().toBuilder().setGraph(g).build()), stored);
    }

    private static long[] keptPositions(Tensor w, Tensor mask) {
        float[] v = w.floats();
        float[] m = mask.floats();
        int count = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0) {
                count++;
            } else if (v[i] != 0) {
                throw new IllegalStateException("pruned weight " + w.name() + "[" + i + "] is " + v[i]
                        + ", not zero: the mask was not kept");
            }
        }
        long[] out = new long[count];
        int k = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0) {
                out[k++] = i;
            }
        }
        return out;
    }
}
