package ai.onnxhap.report;

import ai.onnxhap.graph.ModelInspector;
import ai.onnxhap.graph.ModelSummary;

import ai.onnxhap.graph.LayerCost;
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
