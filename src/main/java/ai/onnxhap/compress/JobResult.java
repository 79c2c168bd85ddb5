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

    /** Whether the accuracy target is met (true when nothing was gated). */
    default boolean passed() {
        return gate() == null || gate().passed();
    }

    /** The machine-readable result: the report alone, or the report then the validation, in that order every time. */
    default Object json() {
        if (gate() == null) {
            return report();
        }
        Map<String, Object> both = new LinkedHashMap<>();
        both.put("compression", report());
        both.put("validation", gate());
        return both;
    }
}
