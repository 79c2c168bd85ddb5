package ai.onnxhap.plan.sparse;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.provenance.Json;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The block layout for kernel and hardware teams (--export-blocks), as compact JSON:
 * {@code {"format": "onnx-hap.darb-blocks", "version": 1, "pattern", "targetRatio", "matrices": [...]}} with, per
 * matrix, the ONNX tensor and node, the view inside the tensor (element (r, c) at flat index
 * offset + r·rowStride + c·colStride), and per row the block size and the kept column indices.
 */
public final class DarbBlockExport {
    public static final String FORMAT = "onnx-hap.darb-blocks";
    public static final int VERSION = 1;

    private DarbBlockExport() {
    }

    /** @param blockSizes per row (0 for layouts without blocks); kept: per row, ascending column indices */
    public record Matrix(String tensor, String part, String node, String opType, long[] tensorShape, int offset,
                         int rows, int cols, int rowStride, int colStride, int[] blockSizes, int[][] kept) {
    }

    public record Document(String format, int version, String pattern, double targetRatio, List<Matrix> matrices) {
    }

    public static Document of(DarbPlan plan) {
        List<Matrix> matrices = new ArrayList<>();
        for (MatrixLayout l : plan.layouts()) {
            MatrixView m = l.matrix();
            matrices.add(new Matrix(m.tensor(), m.part(), m.node(), m.opType(), m.tensorShape(), m.offset(), m.rows(),
                    m.cols(), m.rowStride(), m.colStride(), l.blockSizes(), l.kept()));
        }
        return new Document(FORMAT, VERSION, plan.pattern().label(), plan.targetRatio(), matrices);
    }

    /** Writes the layout atomically (a temporary file renamed into place). */
    public static void write(DarbPlan plan, Path file) {
        ai.onnxhap.model.AtomicFiles.write(file, tmp -> Json.mapper().writer()
                .without(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), of(plan)));
    }

    public static Document read(Path file) {
        try {
            return Json.mapper().readValue(file.toFile(), Document.class);
        } catch (IOException e) {
            throw OnnxHapException.io("cannot read block layout " + file + ": " + e.getMessage(), e);
        }
    }
}
