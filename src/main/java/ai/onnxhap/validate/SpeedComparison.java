package ai.onnxhap.validate;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Two models timed against each other in one run of ONNX Runtime, on the same inputs and settings, in alternating
 * rounds (A B B A ...) so that drift and noise on a busy machine hit both alike; the speed-up is the ratio of the
 * medians. "Faster" in this project means this, not a MACs count.
 *
 * @param originalMs   median latency of one batch through the original
 * @param compressedMs the same for the compressed model
 * @param runs         timed runs of each model
 */
public record SpeedComparison(double originalMs, double compressedMs, int runs, long batchSize, int threads,
                              String device) {
    /** Rounds per measurement: enough medians of medians to see through a 2-core machine's noise. */
    private static final int ROUNDS = 12;
    /** Each round times at least this long per model, so a model of a few microseconds gets many runs. */
    private static final double ROUND_MS = 40;

    /** original ÷ compressed latency: above 1 the compressed model is faster. */
    @com.fasterxml.jackson.annotation.JsonProperty("speedup")
    public double speedup() {
        return originalMs / compressedMs;
    }

    /**
     * @param inputShapes concrete shapes of the (shared) model inputs; the inputs are synthetic, drawn once
     */
    public static SpeedComparison measure(OnnxModel original, OnnxModel compressed, Map<String, long[]> inputShapes,
                                          OrtModel.Options options) {
        Map<String, Tensor> inputs = OrtShapeOracle.syntheticInputs(Graph.of(original), inputShapes, 0);
        try (OrtModel a = OrtModel.open(original, options); OrtModel b = OrtModel.open(compressed, options)) {
            long[] warmA = a.time(inputs, 1, 2);
            long[] warmB = b.time(inputs, 1, 2);
            double slowest = Math.max(Math.min(warmA[0], warmA[1]), Math.min(warmB[0], warmB[1])) / 1e6;
            int perRound = (int) Math.max(1, Math.min(50, Math.ceil(ROUND_MS / Math.max(slowest, 1e-3))));
            List<Long> timesA = new ArrayList<>();
            List<Long> timesB = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                boolean aFirst = round % 2 == 0;
                for (OrtModel m : aFirst ? List.of(a, b) : List.of(b, a)) {
                    for (long t : m.time(inputs, 0, perRound)) {
                        (m == a ? timesA : timesB).add(t);
                    }
                }
            }
            long batch = inputShapes.values().stream().findFirst().filter(s -> s.length > 0).map(s -> s[0]).orElse(1L);
            return new SpeedComparison(medianMs(timesA), medianMs(timesB), timesA.size(), batch,
                    a.options().intraOpThreads(), a.device().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static double medianMs(List<Long> nanos) {
        return LatencyBenchmark.median(LatencyBenchmark.sortedMs(nanos.stream().mapToLong(Long::longValue).toArray()));
    }
}
