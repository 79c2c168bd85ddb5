package ai.onnxhap.compress;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.plan.Ratio;
import ai.onnxhap.plan.sparse.EligibleMatrices;
import ai.onnxhap.plan.sparse.SparsityPattern;
import java.util.Set;

/**
 * Settings of a DARB compression.
 *
 * @param ratio         elements per kept weight of every pruned matrix (16 for --ratio 16x)
 * @param criterion     "magnitude" (|w|) or "hessian" (Hutchinson diag(H)·w² on the calibration data)
 * @param steps         stages of growing ratio (ratio^(s/steps)), retrained between stages
 * @param minElements   weights with fewer elements stay dense
 * @param dense         write pruned weights as dense tensors with zeros instead of sparse initializers
 * @param calibration   data for the Hessian criterion (null for magnitude)
 */
public record DarbOptions(double ratio, SparsityPattern pattern, String criterion, int steps, int minElements,
                          Set<String> excludedNodes, boolean dense, Calibration calibration, long seed) {
    /** @param samples calibration samples used; probes Hutchinson probes */
    public record Calibration(DataSet data, int samples, int probes, int batchSize) {
        public static Calibration of(DataSet data, int samples, int probes) {
            return new Calibration(data, samples, probes, CompressOptions.Calibration.BATCH_SIZE);
        }

        public Calibration {
            if (samples < 1 || probes < 1) {
                throw OnnxHapException.usage("--hessian-samples and --probes must be at least 1 for darb");
            }
        }
    }

    /** 16x: the middle of the range where DARB's paper reports no accuracy lost on its matrices. */
    public static final Ratio DEFAULT_RATIO = new Ratio.KeepOneIn(16);

    /**
     * The options as a user gives them: the ratio as written (null: {@link #DEFAULT_RATIO}), the criterion as
     * named for either method (null or l1: magnitude), calibration without data taken as none.
     */
    public static DarbOptions of(Ratio ratio, SparsityPattern pattern, String criterion, int steps, int minElements,
                                 Set<String> excludedNodes, boolean dense, Calibration calibration, long seed) {
        String c = criterion == null || criterion.equals("l1") ? "magnitude" : criterion;
        return new DarbOptions((ratio == null ? DEFAULT_RATIO : ratio).keepOneIn(), pattern, c, steps, minElements,
                excludedNodes, dense, calibration == null || calibration.data() == null ? null : calibration, seed);
    }

    public DarbOptions {
        excludedNodes = Set.copyOf(excludedNodes);
        if (!(ratio > 1) || Double.isInfinite(ratio)) {
            throw OnnxHapException.usage("--ratio for darb must remove weights: above 1x (or a fraction above 0), "
                    + "got " + ratio + "x");
        }
        if (!criterion.equals("magnitude") && !criterion.equals("hessian")) {
            throw OnnxHapException.usage("--criterion " + criterion + " is not a DARB criterion; use magnitude or "
                    + "hessian");
        }
        if (steps < 1) {
            throw OnnxHapException.usage("--steps must be at least 1, got " + steps);
        }
        if (criterion.equals("hessian") && (calibration == null || calibration.data() == null)) {
            throw OnnxHapException.usage("the hessian criterion needs calibration data (--data); --criterion "
                    + "magnitude works without data");
        }
    }

    /** DARB by magnitude in one stage, default size threshold, nothing excluded, sparse storage. */
    public static DarbOptions of(double ratio) {
        return new DarbOptions(ratio, SparsityPattern.DARB, "magnitude", 1, EligibleMatrices.DEFAULT_MIN_ELEMENTS,
                Set.of(), false, null, 0);
    }

    public DarbOptions withPattern(SparsityPattern p) {
        return new DarbOptions(ratio, p, criterion, steps, minElements, excludedNodes, dense, calibration, seed);
    }

    public DarbOptions withMinElements(int n) {
        return new DarbOptions(ratio, pattern, criterion, steps, n, excludedNodes, dense, calibration, seed);
    }

    public DarbOptions withDense(boolean d) {
        return new DarbOptions(ratio, pattern, criterion, steps, minElements, excludedNodes, d, calibration, seed);
    }
}
