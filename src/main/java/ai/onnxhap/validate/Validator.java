package ai.onnxhap.validate;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Compares a candidate (compressed) model with its reference on the same data in ONNX Runtime. */
public final class Validator {
    private Validator() {
    }

    public static ModelComparison compare(OnnxModel reference, OnnxModel candidate, DataSet data, int batchSize) {
        return compare(reference, candidate, data, batchSize, OrtModel.Options.defaults());
    }

    /** Runs both models (one session at a time, to bound memory) and compares their outputs. */
    public static ModelComparison compare(OnnxModel reference, OnnxModel candidate, DataSet data, int batchSize,
                                          OrtModel.Options options) {
        if (!allFloatTensors(reference) || !allFloatTensors(candidate)) {
            // A classifier's ZipMap or label outputs are not comparable numbers: compare the tensor part.
            reference = ai.onnxhap.graph.TensorPart.of(reference).model();
            candidate = ai.onnxhap.graph.TensorPart.of(candidate).model();
        }
        Map<String, Tensor> ref;
        try (OrtModel ort = OrtModel.open(reference, options)) {
            ref = ort.run(data, batchSize);
        }
        Map<String, Tensor> cand;
        try (OrtModel ort = OrtModel.open(candidate, options)) {
            cand = ort.run(data, batchSize);
        }
        return compare(ref, cand, data.size(), data.labels().orElse(null));
    }

    private static boolean allFloatTensors(OnnxModel model) {
        return ai.onnxhap.graph.Graph.of(model).outputs().stream().allMatch(o -> o.type() != null
                && o.type().storage() == ai.onnxhap.model.DataType.Storage.FLOAT);
    }

    /**
     * Compares outputs already computed. Outputs are matched by name, then the unmatched ones by position.
     *
     * @param labels INT64 [samples] or null; accuracy uses the first matched [samples, C] float output
     */
    public static ModelComparison compare(Map<String, Tensor> reference, Map<String, Tensor> candidate, int samples,
                                          Tensor labels) {
        Map<String, String> pairs = match(reference, candidate);
        List<OutputComparison> outputs = new ArrayList<>();
        String accuracyOutput = null;
        for (Map.Entry<String, String> p : pairs.entrySet()) {
            Tensor a = reference.get(p.getKey());
            Tensor b = candidate.get(p.getValue());
            outputs.add(compareOutput(p.getKey(), a, p.getValue(), b));
            if (accuracyOutput == null && isLogits(a) && a.dim(0) == samples) {
                accuracyOutput = p.getKey();
            }
        }
        if (labels == null) {
            return new ModelComparison(samples, outputs, null, null, null, null);
        }
        if (accuracyOutput == null) {
            throw OnnxHapException.usage("labels were given but no output has shape [" + samples
                    + ", classes]; outputs are " + shapes(reference));
        }
        double refAcc = accuracy(reference.get(accuracyOutput), labels);
        double candAcc = accuracy(candidate.get(pairs.get(accuracyOutput)), labels);
        int[] a = argmax(reference.get(accuracyOutput));
        int[] b = argmax(candidate.get(pairs.get(accuracyOutput)));
        long[] y = labels.longs();
        int right = 0;
        int candidateRight = 0;
        int onlyReference = 0;
        int onlyCandidate = 0;
        for (int i = 0; i < y.length; i++) {
            boolean ra = a[i] == y[i];
            boolean rb = b[i] == y[i];
            right += ra ? 1 : 0;
            candidateRight += rb ? 1 : 0;
            onlyReference += ra && !rb ? 1 : 0;
            onlyCandidate += rb && !ra ? 1 : 0;
        }
        return new ModelComparison(samples, outputs, accuracyOutput, refAcc, candAcc, 100 * (refAcc - candAcc),
                Intervals.of(y.length, right, candidateRight, onlyReference, onlyCandidate));
    }

    private static Map<String, String> match(Map<String, Tensor> reference, Map<String, Tensor> candidate) {
        Map<String, String> pairs = new LinkedHashMap<>();
        List<String> freeCand = new ArrayList<>(candidate.keySet());
        freeCand.removeAll(reference.keySet());
        int next = 0;
        for (String name : reference.keySet()) {
            if (candidate.containsKey(name)) {
                pairs.put(name, name);
            } else if (next < freeCand.size()) {
                pairs.put(name, freeCand.get(next++));
            } else {
                throw OnnxHapException.usage("the candidate has no output matching reference output '" + name
                        + "' (candidate outputs: " + candidate.keySet() + ")");
            }
        }
        return pairs;
    }

    private static String shapes(Map<String, Tensor> outputs) {
        StringBuilder sb = new StringBuilder();
        outputs.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k)
                .append(ModelInputs.shapeString(v.shape())));
        return sb.toString();
    }

    /** [N, C], or [N, C, 1, ...] as a classifier ending in a 1×1 conv and a global pool writes it (SqueezeNet). */
    private static boolean isLogits(Tensor t) {
        if (t.rank() < 2 || t.dim(1) < 2 || !isFloat(t.type())) {
            return false;
        }
        for (int i = 2; i < t.rank(); i++) {
            if (t.dim(i) != 1) {
                return false;
            }
        }
        return true;
    }

    private static boolean isFloat(DataType t) {
        return t.storage() == DataType.Storage.FLOAT || t.storage() == DataType.Storage.DOUBLE;
    }

    public static OutputComparison compareOutput(String name, Tensor reference, String candidateName, Tensor candidate) {
        if (!Arrays.equals(reference.shape(), candidate.shape())) {
            throw new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED, "output '" + name + "' has shape "
                    + ModelInputs.shapeString(reference.shape()) + " in the reference but "
                    + ModelInputs.shapeString(candidate.shape()) + " in the candidate");
        }
        if (reference.type() == DataType.STRING || candidate.type() == DataType.STRING) {
            throw new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED, "output '" + name
                    + "' holds strings, which onnx-hap cannot compare");
        }
        double[] a = reference.toDoubles();
        double[] b = candidate.toDoubles();
        double maxAbs = 0;
        double sumAbs = 0;
        double maxRel = 0;
        long measured = 0;
        long nonFinite = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isFinite(a[i]) && Double.isFinite(b[i])) {
                double d = Math.abs(a[i] - b[i]);
                maxAbs = Math.max(maxAbs, d);
                maxRel = Math.max(maxRel, d / Math.max(Math.abs(a[i]), OutputComparison.REL_EPSILON));
                sumAbs += d;
                measured++;
            } else if (Double.compare(a[i], b[i]) != 0) {
                nonFinite++;
            }
        }
        boolean identical = reference.type() == candidate.type() && sameBits(reference, candidate);
        Double top1 = isLogits(reference) && isLogits(candidate) ? top1Agreement(reference, candidate) : null;
        return new OutputComparison(name, candidateName, reference.type(),
                Arrays.stream(reference.shape()).boxed().toList(), maxAbs, measured == 0 ? 0 : sumAbs / measured,
                maxRel, nonFinite, identical, top1);
    }

    private static boolean sameBits(Tensor a, Tensor b) {
        return switch (a.type().storage()) {
            case FLOAT -> Arrays.equals(a.floats(), b.floats());
            case DOUBLE -> Arrays.equals(a.doubles(), b.doubles());
            case LONG -> Arrays.equals(a.longs(), b.longs());
            case STRING -> false;
        };
    }

    /** Fraction of rows of two [N, C] tensors with the same arg-max column. */
    public static double top1Agreement(Tensor a, Tensor b) {
        int[] x = argmax(a);
        int[] y = argmax(b);
        int same = 0;
        for (int i = 0; i < x.length; i++) {
            same += x[i] == y[i] ? 1 : 0;
        }
        return x.length == 0 ? 1 : (double) same / x.length;
    }

    /** Fraction of rows of an [N, C] tensor whose arg-max column equals the label. */
    public static double accuracy(Tensor logits, Tensor labels) {
        int classes = (int) logits.dim(1);
        long[] y = labels.longs();
        if (y.length != logits.dim(0)) {
            throw OnnxHapException.usage("there are " + y.length + " labels for " + logits.dim(0) + " samples");
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0 || y[i] >= classes) {
                throw OnnxHapException.usage("label " + y[i] + " of sample " + i + " is out of range for output '"
                        + logits.name() + "' with " + classes + " classes");
            }
        }
        int[] pred = argmax(logits);
        int right = 0;
        for (int i = 0; i < pred.length; i++) {
            right += pred[i] == y[i] ? 1 : 0;
        }
        return pred.length == 0 ? 1 : (double) right / pred.length;
    }

    /** Arg-max of each row; the first on ties, NaN never wins. */
    static int[] argmax(Tensor t) {
        int n = (int) t.dim(0);
        int c = (int) t.dim(1);
        double[] v = t.toDoubles();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                double x = v[i * c + j];
                if (x > bestValue) {
                    bestValue = x;
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
