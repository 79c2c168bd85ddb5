package ai.onnxhap.report;

import ai.onnxhap.graph.LayerCost;
import ai.onnxhap.graph.ModelInspector;
import ai.onnxhap.graph.ModelSummary;
import com.github.freva.asciitable.AsciiTable;
import com.github.freva.asciitable.Column;
import com.github.freva.asciitable.HorizontalAlign;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders a {@link ModelSummary} as text tables for people. */
public final class SummaryRenderer {
    private SummaryRenderer() {
    }

    public static void render(ModelSummary s, int top, PrintWriter out) {
        out.printf("Model       %s (%s, IR %d%s)%n", s.model(), Units.bytes(s.fileBytes()), s.irVersion(),
                s.producer().isEmpty() ? "" : ", " + s.producer());
        out.printf("Opsets      %s%n", s.opsets().entrySet().stream()
                .map(e -> (e.getKey().isEmpty() ? "ai.onnx" : e.getKey()) + " " + e.getValue())
                .collect(Collectors.joining(", ")));
        for (ModelSummary.ValueSummary v : s.inputs()) {
            out.printf("Input       %s %s %s -> %s%n", v.name(), v.type(), v.declaredShape(), Units.shape(v.shape()));
        }
        for (ModelSummary.ValueSummary v : s.outputs()) {
            out.printf("Output      %s %s %s -> %s%n", v.name(), v.type(), v.declaredShape(), Units.shape(v.shape()));
        }
        out.printf("Parameters  %,d (%s as float32)%s%n", s.parameters(), Units.bytes(s.parameters() * 4),
                s.externalData() ? ", weights in external data" : "");
        out.printf("Nodes       %d%n", s.nodes());
        if (s.provenance() != null) {
            renderProvenance(s.provenance(), out);
        } else if (s.provenanceError() != null) {
            out.printf("Made by     unreadable record: %s%n", s.provenanceError());
        }
        if (s.macs() == null) {
            out.printf("MACs        unknown: %s%n", s.shapeError());
        } else {
            out.printf("MACs        %s (%,d)   FLOPs %s%n", Units.count(s.macs()), s.macs(), Units.count(s.flops()));
            out.println();
            out.println("Layers with parameters or MACs:");
            out.println(layerTable(s.layers(), s.macs()));
            if (s.layers().size() > top) {
                out.printf("Largest %d by parameters:%n", top);
                out.println(layerTable(ModelInspector.largest(s.layers(), top,
                        Comparator.comparingLong(LayerCost::params)), s.macs()));
                out.printf("Largest %d by MACs:%n", top);
                out.println(layerTable(ModelInspector.largest(s.layers(), top,
                        Comparator.comparingLong(LayerCost::macs)), s.macs()));
            }
        }
        out.println("Ops used    " + s.opCounts().entrySet().stream().map(e -> e.getKey() + " x" + e.getValue())
                .collect(Collectors.joining(", ")));
        out.flush();
    }

    /** How the model was made, a line per stage: what a newcomer needs to trust or replay it. */
    private static void renderProvenance(ai.onnxhap.provenance.Provenance p, PrintWriter out) {
        String sha = p.input().sha256();
        out.printf("Made by     %s, %s in %d stage%s from input sha256 %s (seed %d, %s, %d threads)%n", p.tool(),
                p.method(), p.stages().size(), p.stages().size() == 1 ? "" : "s",
                sha.isEmpty() ? "unknown" : sha.substring(0, Math.min(12, sha.length())), p.seed(),
                p.runtime().device(), p.runtime().threads());
        for (int i = 0; i < p.stages().size(); i++) {
            var st = p.stages().get(i);
            String what = st.hap() != null
                    ? String.format("ratio %.3f of %s by %s, %d groups cut, %d implanted", st.hap().ratio(),
                    st.hap().budget(), st.hap().criterion(), st.hap().removedUnits().size(), st.hap().implantedUnits().size())
                    : String.format("keep 1/%.1f by %s (%s), reached 1/%.1f", st.darb().targetRatio(), st.darb().pattern(),
                    st.darb().criterion(), st.darb().achievedRatio());
            out.printf("  stage %d  %s%n", i + 1, what);
        }
        if (p.training() != null) {
            out.printf("  trained   %d epochs, %s, lr %s, batch %d%n", p.training().epochs(), p.training().optimizer(),
                    p.training().learningRate(), p.training().batchSize());
        }
    }

    static String layerTable(List<LayerCost> layers, long totalMacs) {
        return AsciiTable.getTable(AsciiTable.BASIC_ASCII_NO_DATA_SEPARATORS, layers, List.of(
                new Column().header("node").dataAlign(HorizontalAlign.LEFT).maxWidth(48).with(LayerCost::node),
                new Column().header("op").dataAlign(HorizontalAlign.LEFT).with(LayerCost::opType),
                new Column().header("output").dataAlign(HorizontalAlign.LEFT).with(l -> Units.shape(l.outputShape())),
                new Column().header("params").dataAlign(HorizontalAlign.RIGHT).with(l -> String.format("%,d", l.params())),
                new Column().header("MACs").dataAlign(HorizontalAlign.RIGHT).with(l -> Units.count(l.macs())),
                new Column().header("% MACs").dataAlign(HorizontalAlign.RIGHT)
                        .with(l -> totalMacs == 0 ? "-" : Units.percent((double) l.macs() / totalMacs))));
    }

    /** A two-column key/value table. */
    public static String keyValues(Map<String, String> rows) {
        return AsciiTable.getTable(AsciiTable.BASIC_ASCII_NO_DATA_SEPARATORS, rows.entrySet(), List.of(
                new Column().dataAlign(HorizontalAlign.LEFT).with(Map.Entry::getKey),
                new Column().dataAlign(HorizontalAlign.RIGHT).with(Map.Entry::getValue)));
    }
}
