package ai.onnxhap.validate;

import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.ShapeOracle;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * Exact shapes are measured once per model and input shapes: a compress, its stages and every search trial
     * ask again for the same model. Callers get their own copy of the arrays.
     */
    @Override
    public Map<String, long[]> shapes(OnnxModel model, Map<String, long[]> inputShapes) {
        Map<String, String> key = new java.util.TreeMap<>();
        inputShapes.forEach((k, v) -> key.put(k, java.util.Arrays.toString(v)));
        Map<Map<String, String>, Map<String, long[]>> measured = model.memo(OrtShapeOracle.class,
                m -> new java.util.concurrent.ConcurrentHashMap<>());
        Map<String, long[]> shapes = measured.get(key);
        if (shapes == null) {
            shapes = measure(model, inputShapes);
            measured.put(key, shapes);
        }
        Map<String, long[]> copy = new LinkedHashMap<>();
        shapes.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    private Map<String, long[]> measure(OnnxModel model, Map<String, long[]> inputShapes) {
        Graph graph = Graph.of(model);
        Map<String, Tensor> sample = syntheticInputs(graph, inputShapes, 0);
        Map<String, long[]> out = new LinkedHashMap<>();
        inputShapes.forEach((k, v) -> out.put(k, v.clone()));
        try {
            OrtShapeInference.inferOn(model, sample).forEach((name, shape) -> out.put(name, shape.dims()));
        } catch (OrtShapeInference.RunFailed e) {
            throw syntheticRunFailure(model, graph, inputShapes, e.reason(), e);
        }
        return out;
    }

    /**
     * The one line for a model ONNX Runtime loads but cannot run on synthetic inputs: usually an input whose
     * values matter (a sample rate, a length, a shape fed as data) or a size that had to be assumed. Names the
     * integer inputs of rank 0 or 1 as the likely culprits and asks for real inputs.
     */
    public static OnnxHapException syntheticRunFailure(OnnxModel model, Graph graph, Map<String, long[]> inputShapes,
                                                       String reason, Throwable cause) {
        List<String> suspects = new ArrayList<>();
        List<String> fed = new ArrayList<>();
        for (Graph.ValueInfo in : graph.inputs()) {
            long[] dims = inputShapes.get(in.name());
            if (dims != null) {
                fed.add(in.name() + " " + ModelInputs.shapeString(dims));
            }
            DataType type = in.type();
            int rank = dims != null ? dims.length : in.dims() != null ? in.dims().length : -1;
            if (type != null && type.storage() == DataType.Storage.LONG && type != DataType.BOOL && rank >= 0
                    && rank <= 1) {
                suspects.add(in.name() + " (" + ModelInputs.typeName(type) + (rank == 0 ? " scalar"
                        : " " + ModelInputs.shapeString(dims != null ? dims : in.dims())) + ")");
            }
        }
        String hint = suspects.isEmpty() ? "the model probably needs real input sizes or values"
                : "the value" + (suspects.size() > 1 ? "s of " : " of ") + String.join(", ", suspects)
                + (suspects.size() > 1 ? " probably matter" : " probably matters");
        return new OnnxHapException(ErrorCode.USAGE, "ONNX Runtime cannot run " + model.label()
                + " on synthetic inputs (floats N(0,1), integers 0; " + String.join(", ", fed) + "): " + reason
                + "; " + hint + ": give real inputs with --data, or other sizes with --shape", cause);
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
