package ai.onnxhap.validate;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.Tensor;
import java.util.Arrays;
import java.util.Map;

/** Times one batch through an {@link OrtModel}: warm-up runs, then timed runs of the session alone. */
public final class LatencyBenchmark {
    private LatencyBenchmark() {
    }

    /** Run times in nanoseconds as ascending milliseconds. */
    static double[] sortedMs(long[] nanos) {
        return Arrays.stream(nanos).sorted().mapToDouble(n -> n / 1e6).toArray();
    }

    /** The median of ascending values: the middle one, or the mean of the middle two. */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Times the first {@code batchSize} samples of the data (bound to the model's inputs). */
    public static LatencyReport measure(OrtModel model, DataSet data, int batchSize, int warmup, int runs) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        DataSet batch = ModelInputs.bind(data.slice(0, Math.min(batchSize, data.size())), model.model());
        return measure(model, batch.inputs(), warmup, runs);
    }

    /** Times the given inputs (keyed by input name). */
    public static LatencyReport measure(OrtModel model, Map<String, Tensor> batch, int warmup, int runs) {
        if (warmup < 0 || runs < 1) {
            throw new IllegalArgumentException("need warmup >= 0 and runs >= 1, got " + warmup + " and " + runs);
        }
        double[] ms = sortedMs(model.time(batch, warmup, runs));
        int n = ms.length;
        double median = median(ms);
        double p90 = ms[Math.max(0, (int) Math.ceil(0.9 * n) - 1)];
        int rows = batch.values().stream().findFirst().map(t -> t.rank() == 0 ? 1 : (int) t.dim(0)).orElse(0);
        return new LatencyReport(rows, model.options().intraOpThreads(), model.device().name().toLowerCase(),
                warmup, runs, median, p90, Arrays.stream(ms).average().orElse(0), ms[0], ms[n - 1]);
    }
}
