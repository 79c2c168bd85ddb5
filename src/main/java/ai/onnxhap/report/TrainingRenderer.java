package ai.onnxhap.report;

import ai.onnxhap.tf.train.Retraining;
import java.io.PrintWriter;

/** What a finetune did and how the trained model compares, for people. */
public final class TrainingRenderer {
    private TrainingRenderer() {
    }

    /** @param teacher whether the comparison is with a separate teacher (else with the model before training) */
    public static void render(Retraining.Report r, boolean teacher, PrintWriter out) {
        var c = r.comparison();
        out.printf("Trained %d epochs on %d samples by %s; compared on %d samples%n", r.history().size(),
                r.trainSamples(), r.loss(), r.validationSamples());
        if (c.referenceAccuracy() != null) {
            out.printf("Accuracy  %s (%s) -> %s (trained)%n", Units.percent(c.referenceAccuracy()),
                    teacher ? "teacher" : "before", Units.percent(c.candidateAccuracy()));
        }
        c.outputs().stream().filter(o -> o.top1Agreement() != null).findFirst().ifPresent(o ->
                out.printf("Top-1 agreement with the %s: %s%n", teacher ? "teacher" : "original",
                        Units.percent(o.top1Agreement())));
    }
}
