package ai.onnxhap.cli;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.OnnxModel;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** --shape, shared by the commands that analyse a model at concrete input shapes. */
public final class ShapeOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--shape", paramLabel = "NAME=D0,D1,...",
            description = "Concrete shape of an input (repeatable). Symbolic dims nobody gives take the size in "
                    + "--data (compress), a metadata_props entry named after the dim, else 224 (spatial axes of float images) "
                    + "or 16; each guess is printed. Inputs sharing a dim name share its size.")
    List<String> shapes = List.of();

    /** The model's input shapes with the given ones applied and a symbolic first axis set to {@code batch}. */
    Map<String, long[]> resolve(OnnxModel model, long batch) {
        return resolve(model, batch, null);
    }

    /**
     * As {@link #resolve(OnnxModel, long)}, with the other symbolic dims taken from {@code data} (bound to
     * the model's inputs; may be null) where it has them. Every size onnx-hap guessed is one line on stderr.
     */
    Map<String, long[]> resolve(OnnxModel model, long batch, DataSet data) {
        Map<String, long[]> overrides = new LinkedHashMap<>();
        shapes.stream().map(InputShapes::parse).forEach(e -> overrides.put(e.getKey(), e.getValue()));
        Map<String, long[]> dataShapes = new LinkedHashMap<>();
        if (data != null) {
            data.names().forEach(n -> dataShapes.put(n, data.shape(n)));
        }
        InputShapes.Resolution r = InputShapes.resolve(Graph.of(model), overrides, batch, dataShapes);
        if (command != null && !r.assumptions().isEmpty()) {
            PrintWriter err = command.commandLine().getErr();
            r.assumptions().forEach(a -> err.println("onnx-hap: " + a));
            err.flush();
        }
        return r.shapes();
    }
}
