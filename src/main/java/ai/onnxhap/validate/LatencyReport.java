package ai.onnxhap.validate;

/**
 * Wall-clock latency of one batch through ONNX Runtime, in milliseconds, over the timed runs that followed
 * the warm-up runs. p90 is the nearest-rank 90th percentile; the median averages the middle two for an
 * even number of runs.
 */
public record LatencyReport(int batchSize, int threads, String device, int warmupRuns, int timedRuns,
                            double medianMs, double p90Ms, double meanMs, double minMs, double maxMs) {
}
