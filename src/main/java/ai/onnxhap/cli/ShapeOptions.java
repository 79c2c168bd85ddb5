package ai.onnxhap.cli;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.OnnxModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** --shape, shared by the commands that analyse a model at concrete input shapes. */
public final class ShapeOptions {
    @Option(names = "--shape", paramLabel = "NAME=D0,D1,...",
            description = "Concrete shape of an input (repeatable); symbolic dims other than the first need one.")
    List<String> shapes = List.of();

    /** The model's input shapes with the given ones applied and a symbolic first axis set to {@code batch}. */
    Map<String, long[]> resolve(OnnxModel model, long batch) {
        Map<String, long[]> overrides = new LinkedHashMap<>();
        shapes.stream().map(InputShapes::parse).forEach(e -> overrides.put(e.getKey(), e.getValue()));
        return InputShapes.resolve(Graph.of(model), overrides, batch);
    }
}
