package ai.onnxhap.report;

import ai.onnxhap.validate.LatencyReport;
import ai.onnxhap.validate.OutputComparison;
import ai.onnxhap.validate.ValidationReport;
import com.github.freva.asciitable.AsciiTable;
import com.github.freva.asciitable.Column;
import com.github.freva.asciitable.HorizontalAlign;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/** Renders a {@link ValidationReport} as side-by-side tables. */
public final class ValidationRenderer {
    private ValidationRenderer() {
    }

    private record Row(String metric, String original, String compressed, String ratio) {
    }

    public static void render(ValidationReport r, PrintWriter out) {
        out.println("Data: " + r.dataSource());
        List<Row> rows = new ArrayList<>();
        rows.add(counts("parameters", r.original().parameters(), r.compressed().parameters(), n -> String.format("%,d", n)));
        rows.add(counts("file size", r.original().fileBytes(), r.compressed().fileBytes(), Units::bytes));
        if (r.original().macs() != null && r.compressed().macs() != null) {
            rows.add(counts("MACs per batch", r.original().macs(), r.compressed().macs(), Units::count));
        }
        LatencyReport a = r.originalLatency();
        LatencyReport b = r.compressedLatency();
        rows.add(latency("latency median (ms)", a.medianMs(), b.medianMs()));
        rows.add(latency("latency p90 (ms)", a.p90Ms(), b.p90Ms()));
        if (r.comparison().referenceAccuracy() != null) {
            rows.add(new Row("accuracy", Units.percent(r.comparison().referenceAccuracy()),
                    Units.percent(r.comparison().candidateAccuracy()), ""));
        }
        out.println(AsciiTable.getTable(AsciiTable.BASIC_ASCII_NO_DATA_SEPARATORS, rows, List.of(
                new Column().header("").dataAlign(HorizontalAlign.LEFT).with(Row::metric),
                new Column().header("original").dataAlign(HorizontalAlign.RIGHT).with(Row::original),
                new Column().header("compressed").dataAlign(HorizontalAlign.RIGHT).with(Row::compressed),
                new Column().header("ratio").dataAlign(HorizontalAlign.RIGHT).with(Row::ratio))));
        out.printf("Latency: batch %d, %d thread(s), %s, %d warm-up + %d timed runs%n", a.batchSize(), a.threads(),
                a.device(), a.warmupRuns(), a.timedRuns());
        out.println(AsciiTable.getTable(AsciiTable.BASIC_ASCII_NO_DATA_SEPARATORS, r.comparison().outputs(), List.of(
                new Column().header("output").dataAlign(HorizontalAlign.LEFT).with(OutputComparison::name),
                new Column().header("max abs err").dataAlign(HorizontalAlign.RIGHT).with(o -> sci(o.maxAbsError())),
                new Column().header("max rel err").dataAlign(HorizontalAlign.RIGHT).with(o -> sci(o.maxRelError())),
                new Column().header("bitwise equal").dataAlign(HorizontalAlign.RIGHT)
                        .with(o -> o.bitwiseIdentical() ? "yes" : "no"),
                new Column().header("top-1 agreement").dataAlign(HorizontalAlign.RIGHT)
                        .with(o -> o.top1Agreement() == null ? "-" : Units.percent(o.top1Agreement())))));
        if (r.maxAccuracyDrop() != null) {
            out.printf("Accuracy target: drop %.2f points (max %.2f): %s%n", r.accuracyDrop(), r.maxAccuracyDrop(),
                    r.passed() ? "PASSED" : "MISSED");
        }
        out.flush();
    }

    private static Row counts(String metric, long a, long b, LongFunction<String> fmt) {
        return new Row(metric, fmt.apply(a), fmt.apply(b), a > 0 && b > 0 ? Units.decimal((double) a / b, 2) + "x" : "");
    }

    private static Row latency(String metric, double a, double b) {
        return new Row(metric, Units.decimal(a, 3), Units.decimal(b, 3), b > 0 ? Units.decimal(a / b, 2) + "x" : "");
    }

    private static String sci(double v) {
        return v == 0 ? "0" : String.format(java.util.Locale.ROOT, "%.3g", v);
    }
}
