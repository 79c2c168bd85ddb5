package ai.onnxhap.compress;

import ai.onnxhap.score.Importance;
import ai.onnxhap.validate.SpeedComparison;
import java.util.ArrayList;
import java.util.List;

/**
 * How a latency target becomes a plan: the original is scored once, then pruned (in memory, not retrained) at
 * parameter ratios chosen by bisection, each pruned model timed against the original in ONNX Runtime with the
 * job's runtime settings, until one removes the target share of the latency. Measuring the real model on the real
 * runtime predicts what per-layer cost tables would only estimate: fused kernels, memory-bound depthwise layers,
 * width rounding all show up as they are. Retraining changes weights, not the graph, so the latency found is the
 * output's.
 *
 * @param target  share of the original's latency to remove, as asked
 * @param ratio   the parameter ratio chosen
 * @param removed the share of latency the chosen ratio's model removed, as measured
 * @param trials  every ratio tried, in order
 */
public record LatencyFit(double target, double ratio, double removed, List<Trial> trials) {
    /** Ratios tried at most; each costs one in-memory surgery and one side-by-side timing. */
    static final int ROUNDS = 7;
    /** Close enough: the timing itself moves by about this much between runs on a busy machine. */
    static final double TOLERANCE = 0.02;

    /** @param removed measured share of the original's latency this ratio's model removes */
    public record Trial(double ratio, double removed, double originalMs, double compressedMs) {
    }

    /** @param scores the original's importance, computed once by the job */
    static LatencyFit find(HapRequest r, Compressor compressor, Importance scores) {
        CompressOptions options = r.options();
        double target = options.plan().ratio();
        double lo = 0;
        double hi = Math.min(0.95, options.plan().maxLayerRatio());
        List<Trial> trials = new ArrayList<>();
        Trial best = null;
        for (int round = 0; round < ROUNDS; round++) {
            double ratio = round == 0 ? Math.min(hi, target) : (lo + hi) / 2; // params and latency start out alike
            var pruned = compressor.compress(r.model(), r.inputSha256(), options.withPlan(
                    options.plan().withParamsRatio(ratio)), true, scores).model();
            SpeedComparison s = SpeedComparison.measure(r.model(), pruned, options.inputShapes(),
                    options.runtime().ort());
            Trial t = new Trial(ratio, 1 - s.compressedMs() / s.originalMs(), s.originalMs(), s.compressedMs());
            trials.add(t);
            if (best == null || Math.abs(t.removed() - target) < Math.abs(best.removed() - target)) {
                best = t;
            }
            if (Math.abs(t.removed() - target) <= TOLERANCE) {
                break;
            }
            if (t.removed() < target) {
                lo = ratio;
            } else {
                hi = ratio;
            }
        }
        return new LatencyFit(target, best.ratio(), best.removed(), List.copyOf(trials));
    }
}
