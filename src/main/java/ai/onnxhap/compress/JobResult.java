package ai.onnxhap.compress;

import ai.onnxhap.model.OnnxModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a compression job gives back, whatever the method: the model, its report and the gate's verdict. */
public interface JobResult {
    OnnxModel model();

    /** The method's report (a {@link CompressionReport} or a {@link DarbReport}). */
    Object report();

    /** Retraining and validation against the original; null when there was no validation data (or a dry run). */
    AccuracyGate.Outcome gate();

    /** The measured speed against the original and the speed target; null when not measured (DARB, dry runs). */
    default SpeedGate speed() {
        return null;
    }

    /** Whether the accuracy and speed targets are met (true for what was not gated). */
    default boolean passed() {
        return (gate() == null || gate().passed()) && (speed() == null || speed().passed());
    }

    /**
     * The machine-readable result, one layout for every run: {@code compression} (the report), then
     * {@code validation} and {@code speed} when they were measured.
     */
    default Object json() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("compression", report());
        if (gate() != null) {
            all.put("validation", gate());
        }
        if (speed() != null) {
            all.put("speed", speed());
        }
        return all;
    }
}
