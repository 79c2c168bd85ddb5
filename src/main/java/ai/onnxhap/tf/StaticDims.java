package ai.onnxhap.tf;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dimensions of ONNX values that do not change with the dynamic input dimensions, from the exact shapes of two
 * ONNX Runtime runs (dynamic dimensions 1, then 2). TF loses static sizes behind shapes computed at run time
 * (x.view(x.size(0), 28, 28)); handlers that need one (an RNN's unrolled length) read it here. Computed on
 * first use, once: most graphs never ask.
 */
final class StaticDims {
    private final OnnxModel model;
    private final Map<String, long[]> inputShapes;
    private Map<String, long[]> dims;

    /** @param inputShapes the shapes the TF graph is built for, -1 where dynamic */
    StaticDims(OnnxModel model, Map<String, long[]> inputShapes) {
        this.model = model;
        this.inputShapes = inputShapes;
    }

    /** The value's shape with -1 where it follows a dynamic input dimension; null when unknown. */
    long[] of(String value) {
        if (dims == null) {
            dims = infer();
        }
        long[] d = dims.get(value);
        return d == null ? null : d.clone();
    }

    private Map<String, long[]> infer() {
        try {
            Map<String, long[]> one = OrtShapeOracle.INSTANCE.shapes(model, concrete(1));
            Map<String, long[]> two = OrtShapeOracle.INSTANCE.shapes(model, concrete(2));
            Map<String, long[]> out = new HashMap<>();
            one.forEach((name, a) -> {
                long[] b = two.get(name);
                if (b != null && b.length == a.length) {
                    long[] d = a.clone();
                    for (int i = 0; i < d.length; i++) {
                        d[i] = a[i] == b[i] ? a[i] : -1;
                    }
                    out.put(name, d);
                }
            });
            return out;
        } catch (RuntimeException e) {
            // Nothing known: handlers report the dimension they needed, as they would without this.
            return Map.of();
        }
    }

    private Map<String, long[]> concrete(long size) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Graph.ValueInfo in : Graph.of(model).inputs()) {
            long[] s = inputShapes.containsKey(in.name()) ? inputShapes.get(in.name()).clone() : in.dims(); // a copy
            if (s == null) {
                throw new IllegalStateException("input '" + in.name() + "' has no shape");
            }
            for (int i = 0; i < s.length; i++) {
                s[i] = s[i] < 0 ? size : s[i];
            }
            out.put(in.name(), s);
        }
        return out;
    }
}
