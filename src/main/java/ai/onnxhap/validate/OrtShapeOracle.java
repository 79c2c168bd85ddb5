package ai.onnxhap.validate;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.ShapeOracle;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Exact shapes by running the model once in ONNX Runtime on a synthetic input of the requested shapes:
 * floats drawn from N(0,1) with a fixed seed, integers and booleans zero (valid indices), except integer inputs
 * named like an attention mask, which are one (every position visible).
 */
public final class OrtShapeOracle implements ShapeOracle {
    public static final OrtShapeOracle INSTANCE = new OrtShapeOracle();

    private OrtShapeOracle() {
    }

    @Override
    public Map<String, long[]> shapes(OnnxModel model, Map<String, long[]> inputShapes) {
        Map<String, Tensor> sample = syntheticInputs(Graph.of(model), inputShapes, 0);
        Map<String, long[]> out = new LinkedHashMap<>();
        inputShapes.forEach((k, v) -> out.put(k, v.clone()));
        OrtShapeInference.inferOn(model, sample).forEach((name, shape) -> out.put(name, shape.dims()));
        return out;
    }

    public static Map<String, Tensor> syntheticInputs(Graph graph, Map<String, long[]> shapes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Graph.ValueInfo in : graph.inputs()) {
            long[] dims = shapes.get(in.name());
            DataType type = in.type() == null ? DataType.FLOAT : in.type();
            int n = Math.toIntExact(Tensor.elementCount(dims));
            Tensor t = switch (type.storage()) {
                case FLOAT -> {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = (float) gaussian(rnd);
                    }
                    yield Tensor.ofFloats(in.name(), type, dims, v);
                }
                case DOUBLE -> {
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = gaussian(rnd);
                    }
                    yield Tensor.ofDoubles(in.name(), type, dims, v);
                }
                case LONG -> {
                    // An all-zero attention mask hides every position and softmax gives NaN; HF names it *mask*.
                    long[] v = new long[n];
                    if (in.name().toLowerCase(java.util.Locale.ROOT).contains("mask")) {
                        java.util.Arrays.fill(v, 1);
                    }
                    yield Tensor.ofLongs(in.name(), type, dims, v);
                }
                case STRING -> Tensor.ofStrings(in.name(), dims,
                        java.util.Collections.nCopies(n, new byte[0]));
            };
            out.put(in.name(), t);
        }
        return out;
    }

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller: SplittableRandom has no nextGaussian in Java 17.
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
