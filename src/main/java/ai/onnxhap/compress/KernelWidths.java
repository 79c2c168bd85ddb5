package ai.onnxhap.compress;

import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.score.Importance;
import ai.onnxhap.validate.SpeedComparison;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code --round-to auto}: which multiple of channels and neurons the runtime's kernels run fastest, found by
 * measuring this model pruned at each candidate width ({@link PlanOptions#ROUND_CANDIDATES}) against the original
 * in ONNX Runtime. It matters: on a 2-core AVX2 machine ResNet-18 at ratio 0.5 ran 2.06x faster rounded to 16 and
 * 1.45x rounded to 8, while a 28x28 ResNet with 8 to 24 channels ran 1.42x faster at 8 and 1.15x at 16. The
 * decision is kept in the {@link MeasurementCache}, so the same command on the same machine plans the same way.
 *
 * @param width    the width chosen
 * @param speedups per candidate width, its pruned model's speed-up over the original
 * @param cached   whether the decision was read from the cache rather than measured now
 */
public record KernelWidths(int width, Map<Integer, Double> speedups, boolean cached) {
    /** What the cache keeps. */
    record Entry(int width, Map<Integer, Double> speedups) {
    }

    static KernelWidths choose(HapRequest r, CompressOptions options, Compressor compressor, Importance scores) {
        String key = key(r, options);
        var hit = MeasurementCache.read("widths", key, Entry.class);
        if (hit.isPresent() && PlanOptions.ROUND_CANDIDATES.contains(hit.get().width())) {
            return new KernelWidths(hit.get().width(), hit.get().speedups(), true);
        }
        Map<Integer, Double> speedups = new LinkedHashMap<>();
        int best = PlanOptions.ROUND_CANDIDATES.get(0);
        for (int width : PlanOptions.ROUND_CANDIDATES) {
            var pruned = compressor.compress(r.model(), r.inputSha256(), options.withPlan(
                    options.plan().withRoundTo(width)), true, scores).model();
            double speedup = SpeedComparison.measure(r.model(), pruned, options.inputShapes(),
                    options.runtime().ort()).speedup();
            speedups.put(width, speedup);
            best = speedup > speedups.get(best) ? width : best;
        }
        MeasurementCache.write("widths", key, new Entry(best, speedups));
        return new KernelWidths(best, Map.copyOf(speedups), false);
    }

    /** Everything the measurement depends on: the model, what its plan is made of, the runtime and the machine. */
    private static String key(HapRequest r, CompressOptions o) {
        PlanOptions p = o.plan();
        StringBuilder b = new StringBuilder(r.inputSha256()).append('|').append(o.criterion()).append('|')
                .append(o.seed()).append('|').append(p.ratio()).append('|').append(p.budget()).append('|')
                .append(p.maxLayerRatio()).append('|').append(new TreeSet<>(p.exclude())).append('|')
                .append(p.ranking()).append('|').append(p.pruneHidden()).append('|').append(o.implanting())
                .append('|').append(new java.util.TreeMap<>(o.implants())).append('|').append(o.implantBudget()).append('|')
                .append(Records.data(r.data().calibration(), null, null)); // Hessian scores depend on the data
        new java.util.TreeMap<>(o.inputShapes()).forEach((n, s) -> b.append('|').append(n).append(Arrays.toString(s)));
        var ort = o.runtime().ort();
        return b.append('|').append(ort.intraOpThreads()).append('|').append(ort.device()).append('|')
                .append(PlanOptions.ROUND_CANDIDATES).append('|').append(MeasurementCache.machine()).toString();
    }
}
