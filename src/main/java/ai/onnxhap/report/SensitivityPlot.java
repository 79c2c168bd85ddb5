package ai.onnxhap.report;

import ai.onnxhap.compress.CompressionReport;
import ai.onnxhap.compress.LayerChange;
import ai.onnxhap.model.OnnxHapException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** A PNG of the scored groups: mean sensitivity per group above, kept and removed units below. */
public final class SensitivityPlot {
    private SensitivityPlot() {
    }

    public static void write(CompressionReport report, Path png) {
        List<LayerChange> scored = report.layers().stream().filter(l -> l.meanScore() != null).toList();
        if (scored.isEmpty()) {
            throw OnnxHapException.usage("nothing was scored, so there is nothing to plot");
        }
        List<String> names = scored.stream().map(l -> shortName(l.group())).toList();
        int width = Math.max(800, 40 * names.size());

        CategoryChart sensitivity = new CategoryChartBuilder().width(width).height(380)
                .title("Mean " + report.criterion() + " score per group").yAxisTitle("score").build();
        sensitivity.getStyler().setLegendVisible(false);
        sensitivity.getStyler().setXAxisLabelRotation(60);
        sensitivity.addSeries("score", names, scored.stream().map(LayerChange::meanScore).toList());

        CategoryChart units = new CategoryChartBuilder().width(width).height(380)
                .title(String.format("Units kept, implanted and removed (ratio %.2f)", report.ratio())).yAxisTitle("units").build();
        units.getStyler().setStacked(true);
        units.getStyler().setXAxisLabelRotation(60);
        units.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        units.addSeries("kept", names, scored.stream().map(l -> (Number) (l.unitsAfter() - l.implantedUnits())).toList());
        units.addSeries("implanted", names, scored.stream().map(l -> (Number) l.implantedUnits()).toList());
        units.addSeries("removed", names, scored.stream().map(l -> (Number) (l.unitsBefore() - l.unitsAfter())).toList());

        BufferedImage top = BitmapEncoder.getBufferedImage(sensitivity);
        BufferedImage bottom = BitmapEncoder.getBufferedImage(units);
        BufferedImage both = new BufferedImage(width, top.getHeight() + bottom.getHeight(), BufferedImage.TYPE_INT_RGB);
        var g = both.createGraphics();
        g.drawImage(top, 0, 0, null);
        g.drawImage(bottom, 0, top.getHeight(), null);
        g.dispose();
        ai.onnxhap.model.AtomicFiles.write(png, tmp -> ImageIO.write(both, "png", tmp.toFile()));
    }

    private static String shortName(String group) {
        String s = group.replace("/channels", "").replace("/neurons", "").replace("/heads", " (heads)")
                .replace("/ffn", " (ffn)");
        return s.length() > 40 ? "..." + s.substring(s.length() - 37) : s;
    }
}
