package ai.onnxhap.report;

import ai.onnxhap.compress.CheckReport;
import java.io.PrintWriter;

/** The verdict of {@code check}, line by line, for people. */
public final class CheckRenderer {
    private CheckRenderer() {
    }

    public static void render(CheckReport r, PrintWriter out) {
        out.println("Model              " + r.model());
        out.println("TensorFlow import  " + (r.unsupportedOps().isEmpty() && r.importError() == null ? "ok"
                : !r.unsupportedOps().isEmpty() ? "unsupported ops: " + String.join(", ", r.unsupportedOps())
                : "failed: " + r.importError()));
        out.println("TF vs ORT          " + (r.tfVsOrtRelativeError() == null ? "not run"
                : String.format("max relative error %.2e (tolerance %.0e)", r.tfVsOrtRelativeError(), r.tolerance())));
        out.println("Prunable groups    " + (r.prunableByKind().isEmpty() ? "none" : r.prunableByKind()));
        r.prunable().forEach(g -> out.printf("  %-44s %-9s %5d units%s%n", g.group(), g.kind(), g.units(),
                g.exact() ? "" : "  (inexact: changes normalisation statistics)"));
        if (!r.notPrunable().isEmpty()) {
            out.println("Not prunable       " + r.notPrunable().size() + " groups:");
            r.notPrunable().forEach(s -> out.println("  " + s));
        }
        out.println(r.ok() ? "Verdict            onnx-hap can compress this model"
                : "Verdict            onnx-hap cannot handle this model yet");
    }
}
