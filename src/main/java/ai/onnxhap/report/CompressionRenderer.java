package ai.onnxhap.report;

import ai.onnxhap.compress.CompressionReport;
import ai.onnxhap.compress.LayerChange;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.plan.GroupDecision;
import ai.onnxhap.tf.train.Retraining;
import com.github.freva.asciitable.AsciiTable;
import com.github.freva.asciitable.Column;
import com.github.freva.asciitable.HorizontalAlign;
import java.io.PrintWriter;
import java.util.List;

/** The per-layer table and totals of a compression, for people. */
public final class CompressionRenderer {
    private CompressionRenderer() {
    }

    /** Retraining and validation against the original, and the accuracy target. */
    public static void renderGate(ai.onnxhap.compress.AccuracyGate.Outcome g, PrintWriter out) {
        var c = g.comparison();
        if (g.retraining() != null) {
            var h = g.retraining().history();
            out.printf("Retrained   %d epochs on %d samples by %s, final loss %.4f%n", h.size(),
                    g.retraining().trainSamples(), g.retraining().loss(), h.get(h.size() - 1).meanLoss());
            if (!g.retraining().batchNorm().isEmpty()) {
                out.printf("BatchNorm   statistics of %d layers re-estimated on the training data%n",
                        g.retraining().batchNorm().size());
            }
        } else {
            out.println("Retrained   no (no training data or --epochs 0)");
        }
        if (c.referenceAccuracy() != null && c.intervals() != null) {
            var i = c.intervals();
            out.printf("Accuracy    %s [%s, %s] -> %s [%s, %s] on %d validation samples (95%% intervals)%n",
                    Units.percent(c.referenceAccuracy()), Units.percent(i.referenceLow()),
                    Units.percent(i.referenceHigh()), Units.percent(c.candidateAccuracy()),
                    Units.percent(i.candidateLow()), Units.percent(i.candidateHigh()), c.samples());
            out.printf("Drop        %.2f points [%.2f, %.2f]%n", g.drop(), i.dropLow(), i.dropHigh());
        } else if (c.referenceAccuracy() != null) {
            out.printf("Accuracy    %s -> %s on %d validation samples (drop %.2f points)%n",
                    Units.percent(c.referenceAccuracy()), Units.percent(c.candidateAccuracy()), c.samples(), g.drop());
        } else if (g.drop() != null) {
            out.printf("Agreement   top-1 %s on %d samples%n", Units.percent(1 - g.drop() / 100), c.samples());
        }
        if (g.validationSet() != null) {
            renderValidationSet(g.validationSet(), out);
        }
        if (g.maxAccuracyDrop() != null) {
            out.printf("Target      drop at most %.2f points: %s%n", g.maxAccuracyDrop(), g.passed() ? "PASSED"
                    : g.drop() == null ? "MISSED (the drop could not be measured)"
                    : String.format("MISSED by %.2f points; try a lower --ratio, more --epochs or more --train-data "
                    + "(--max-accuracy-drop none turns the gate off)", g.drop() - g.maxAccuracyDrop()));
        }
        out.flush();
    }

    /** Which rows the gate measured on, and how many of them the model was also retrained on. */
    private static void renderValidationSet(ai.onnxhap.compress.AccuracyGate.ValidationSet set, PrintWriter out) {
        out.printf("Validated   on %s: %,d rows, %s%n", set.source(), set.rows(), set.overlap() == 0
                ? "none of them training rows"
                : String.format("%,d of them also training rows (training accuracy, not held-out)", set.overlap()));
    }

    /** The compressed model against the original in ONNX Runtime, and the speed target. */
    public static void renderSpeed(ai.onnxhap.compress.SpeedGate g, PrintWriter out) {
        var s = g.speed();
        out.printf("Speed       %.2fx in ONNX Runtime: %.3f ms -> %.3f ms per batch of %d (%d thread%s, %s, %d runs "
                        + "each, alternating)%n", s.speedup(), s.originalMs(), s.compressedMs(), s.batchSize(),
                s.threads(), s.threads() == 1 ? "" : "s", s.device(), s.runs());
        if (g.minSpeedup() > 0) {
            out.printf("Target      %s: %s%n", g.asked() ? String.format("speed-up at least %.2fx", g.minSpeedup())
                    : "not slower than the original", g.passed() ? "PASSED" : "MISSED (the model is slower; try "
                    + "--implant-ratio 0, a higher --ratio or --round-to 16)");
        }
        out.flush();
    }

    /** Which width multiple --round-to auto chose, and what each candidate measured. */
    public static void renderWidths(ai.onnxhap.compress.KernelWidths w, PrintWriter out) {
        out.printf("Widths      multiples of %d; speed-up pruned at each: %s%s%n", w.width(), String.join(", ", w.speedups().entrySet().stream()
                        .sorted(java.util.Map.Entry.comparingByKey())
                        .map(e -> String.format("%.2fx at %d", e.getValue(), e.getKey())).toList()),
                w.cached() ? " (measured earlier on this machine)" : " (measured now)");
        out.flush();
    }

    /** How a --target-latency became a parameter ratio. */
    public static void renderLatencyFit(ai.onnxhap.compress.LatencyFit f, PrintWriter out) {
        out.printf("Latency     target: remove %.1f%% of the original's latency; ratio %.3f removes %.1f%% "
                        + "(measured before retraining, %d ratio%s tried)%n", 100 * f.target(), f.ratio(),
                100 * f.removed(), f.trials().size(), f.trials().size() == 1 ? "" : "s");
        out.flush();
    }

    /** A staged run: how many stages, and the share of what remained each one removed. */
    public static void renderStages(int stages, double stageRatio, PrintWriter out) {
        if (stages > 1) {
            out.printf("Stages      %d, each removing %.1f%% of what remained%n", stages, 100 * stageRatio);
        }
    }

    /** Every ratio a --search tried, then the best one's table and validation, and what was written. */
    public static void renderSearch(ai.onnxhap.compress.CompressionJob.SearchOutcome outcome,
                                    ai.onnxhap.compress.OutputFiles.Written written, java.nio.file.Path output,
                                    PrintWriter out) {
        for (var t : outcome.trials()) {
            out.printf("Tried ratio %.3f: %,d parameters left, drop %s -> %s%n", t.ratio(), t.paramsAfter(),
                    t.drop() == null ? "?" : String.format("%.2f points", t.drop()), t.passed() ? "passed" : "missed");
        }
        if (outcome.best() != null) {
            render(outcome.best().report(), out);
            renderGate(outcome.best().gate(), out);
        }
        out.println(written == ai.onnxhap.compress.OutputFiles.Written.MODEL
                ? "Wrote " + output + " (ratio " + outcome.best().report().ratio() + ")"
                : "Nothing written: no ratio tried meets the accuracy target");
        out.flush();
    }

    /** What became of the model file. */
    public static void renderWritten(ai.onnxhap.compress.OutputFiles.Written written, java.nio.file.Path output,
                                     PrintWriter out) {
        switch (written) {
            case MODEL -> out.println("Wrote " + output);
            case NOTHING_TARGET_MISSED -> out.println("Nothing written: a target above is missed "
                    + "(--keep-failed writes it anyway)");
            case NOTHING_DRY_RUN -> { }
        }
        out.flush();
    }

    public static void render(CompressionReport r, PrintWriter out) {
        List<LayerChange> shown = r.layers().stream().filter(l -> l.status() != GroupDecision.Status.NOT_PRUNABLE).toList();
        out.println(AsciiTable.getTable(AsciiTable.BASIC_ASCII_NO_DATA_SEPARATORS, shown, List.of(
                new Column().header("group").dataAlign(HorizontalAlign.LEFT).maxWidth(44).with(LayerChange::group),
                new Column().header("kind").dataAlign(HorizontalAlign.LEFT).with(l -> l.kind().label()),
                new Column().header("units").dataAlign(HorizontalAlign.RIGHT)
                        .with(l -> l.unitsBefore() + " -> " + l.unitsAfter()
                                + (l.implantedUnits() > 0 ? " (" + l.implantedUnits() + " implanted)" : "")),
                new Column().header("params").dataAlign(HorizontalAlign.RIGHT)
                        .with(l -> Units.count(l.paramsBefore()) + " -> " + Units.count(l.paramsAfter())),
                new Column().header("MACs").dataAlign(HorizontalAlign.RIGHT)
                        .with(l -> Units.count(l.macsBefore()) + " -> " + Units.count(l.macsAfter())),
                new Column().header("mean score").dataAlign(HorizontalAlign.RIGHT)
                        .with(l -> l.meanScore() == null ? "" : String.format("%.3g", l.meanScore())),
                new Column().header("status").dataAlign(HorizontalAlign.LEFT)
                        .with(l -> l.status().name().toLowerCase().replace('_', ' ')))));
        if (shown.stream().anyMatch(l -> l.kind() == PruningGroup.Kind.KV_GROUP)) {
            out.println("Heads       grouped-query attention pruned by kv-group: a unit is one key/value head with "
                    + "the query heads that share it");
        }
        if (shown.stream().anyMatch(l -> l.kind() == PruningGroup.Kind.HIDDEN && l.unitsAfter() < l.unitsBefore())) {
            out.println("Hidden      the residual width was cut: LayerNorm statistics change, so the result is not "
                    + "equivalent to masking before retraining");
        }
        List<LayerChange> blocked = r.layers().stream().filter(l -> l.status() == GroupDecision.Status.NOT_PRUNABLE)
                .toList();
        if (!blocked.isEmpty()) {
            out.printf("Not prunable (%d groups):%n", blocked.size());
            blocked.forEach(l -> out.printf("  %s: %s%n", l.group(), l.reason()));
        }
        for (var i : r.implants()) {
            String error = i.weightError() != null ? String.format(", weight error %.3f", i.weightError())
                    : i.outputErrorBefore() != null ? String.format(", output error %.3f -> %.3f by least squares",
                    i.outputErrorBefore(), i.outputErrorAfter()) : "";
            out.printf("Implant     %s: %s%s, rank %d, %s -> %s parameters%s%n", i.node(), i.style(),
                    i.units() > 0 ? " for " + i.units() + " units" : "", i.rank(), Units.count(i.paramsBefore()),
                    Units.count(i.paramsAfter()), error);
        }
        if (r.scoring() != null) {
            out.printf("Scores      %s%n", r.scoring());
        }
        out.printf("%s criterion %s, ratio %.2f of %s prunable %s%n", r.dryRun() ? "Plan (dry run):" : "Pruned:",
                r.criterion(), r.ratio(), Units.count(r.plan().prunableParams()),
                r.plan().budget() == ai.onnxhap.plan.PlanOptions.Budget.MACS ? "MACs" : "parameters");
        out.printf("Parameters  %,d -> %,d  (%s removed)%n", r.paramsBefore(), r.paramsAfter(),
                Units.percent(1 - (double) r.paramsAfter() / Math.max(1, r.paramsBefore())));
        out.printf("MACs        %s -> %s  (%.2fx fewer)%n", Units.count(r.macsBefore()), Units.count(r.macsAfter()),
                (double) r.macsBefore() / Math.max(1, r.macsAfter()));
        out.flush();
    }
}
