package ai.onnxhap.report;

import ai.onnxhap.compress.DarbReport;
import com.github.freva.asciitable.AsciiTable;
import com.github.freva.asciitable.Column;
import com.github.freva.asciitable.HorizontalAlign;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The per-matrix table and totals of a DARB compression, for people. */
public final class DarbRenderer {
    private DarbRenderer() {
    }

    public static void render(DarbReport r, PrintWriter out) {
        out.println(AsciiTable.getTable(AsciiTable.BASIC_ASCII_NO_DATA_SEPARATORS, r.matrices(), List.of(
                new Column().header("matrix").dataAlign(HorizontalAlign.LEFT).maxWidth(44)
                        .with(m -> m.part().isEmpty() ? m.tensor() : m.tensor() + " " + m.part()),
                new Column().header("rows x cols").dataAlign(HorizontalAlign.RIGHT).with(m -> m.rows() + "x" + m.cols()),
                new Column().header("density").dataAlign(HorizontalAlign.RIGHT)
                        .with(m -> Units.percent(m.densityBefore()) + " -> " + Units.percent(m.densityAfter())),
                new Column().header("ratio").dataAlign(HorizontalAlign.RIGHT).with(m -> ratio(m.ratio())),
                new Column().header("block size: rows").dataAlign(HorizontalAlign.LEFT).maxWidth(40)
                        .with(m -> histogram(m.blockSizes())),
                new Column().header("index bits/weight").dataAlign(HorizontalAlign.RIGHT)
                        .with(m -> bits(m.indexBits())),
                new Column().header("CSR").dataAlign(HorizontalAlign.RIGHT).with(m -> bits(m.csrBits())),
                new Column().header("fixed block").dataAlign(HorizontalAlign.RIGHT).with(m -> bits(m.fixedBlockBits())))));
        if (!r.skipped().isEmpty()) {
            out.printf("Left dense (%d weights):%n", r.skipped().size());
            r.skipped().forEach(s -> out.printf("  %s (%s): %s%n", s.tensor(), s.node(), s.reason()));
        }
        var t = r.totals();
        out.printf(Locale.ROOT, "Pruned:     %s, criterion %s, target %s%s%n", r.pattern(), r.criterion(),
                ratio(r.targetRatio()), r.steps() > 1 ? " in " + r.steps() + " stages" : "");
        out.printf(Locale.ROOT, "Weights     %,d -> %,d kept in pruned matrices (%s)%n", t.elements(), t.kept(),
                ratio(t.ratio()));
        out.printf(Locale.ROOT, "Index bits  %s per kept weight (CSR %s, fixed-size blocks %s)%n", bits(t.indexBits()),
                bits(t.csrBits()), bits(t.fixedBlockBits()));
        out.printf(Locale.ROOT, "Model size  %s -> %s (%s)%n", Units.bytes(t.modelBytesBefore()),
                Units.bytes(t.modelBytesAfter()), r.dense() ? "dense, zeros written"
                        : t.sparseTensors() + " weights stored as sparse_initializer");
        out.flush();
    }

    static String histogram(Map<Integer, Integer> h) {
        return h.isEmpty() ? "-" : h.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    private static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2fx", r);
    }

    private static String bits(double b) {
        return String.format(Locale.ROOT, "%.2f", b);
    }
}
