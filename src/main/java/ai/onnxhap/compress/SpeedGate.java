package ai.onnxhap.compress;

import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.SpeedComparison;
import java.util.Map;

/**
 * The compressed model against the original in ONNX Runtime, timed in one run, and the speed target: by default
 * "not slower" (a compressed model is there to run faster, so one measurably slower is not written), or the
 * user's {@code --min-speedup}. A miss is confirmed by a second measurement before it counts, so that one burst
 * of noise on a busy machine does not refuse a good model.
 *
 * @param minSpeedup the speed-up the model had to reach
 * @param asked      whether the user set it (else it is the default)
 */
public record SpeedGate(SpeedComparison speed, double minSpeedup, boolean asked, boolean passed) {
    /**
     * The default target: not slower than the original beyond the spread of timing on a busy 2-core machine
     * (medians of alternating rounds still move by a few percent there).
     */
    public static final double NOT_SLOWER = 0.95;

    /** @param minSpeedup the user's target, or null for {@link #NOT_SLOWER} */
    public static SpeedGate run(OnnxModel original, OnnxModel compressed, Map<String, long[]> inputShapes,
                                OrtModel.Options ort, Double minSpeedup) {
        double min = minSpeedup == null ? NOT_SLOWER : minSpeedup;
        SpeedComparison speed = SpeedComparison.measure(original, compressed, inputShapes, ort);
        if (speed.speedup() < min) {
            SpeedComparison second = SpeedComparison.measure(original, compressed, inputShapes, ort);
            speed = second.speedup() > speed.speedup() ? second : speed;
        }
        return new SpeedGate(speed, min, minSpeedup != null, speed.speedup() >= min);
    }
}
