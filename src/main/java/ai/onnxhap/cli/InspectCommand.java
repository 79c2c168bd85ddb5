package ai.onnxhap.cli;

import ai.onnxhap.graph.ModelInspector;
import ai.onnxhap.graph.ModelSummary;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.report.SummaryRenderer;
import ai.onnxhap.validate.OrtShapeOracle;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's opsets, inputs and outputs, parameters, and MACs/FLOPs per layer for an input shape.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model.")
    Path model;

    @picocli.CommandLine.Mixin
    ShapeOptions shapeOptions;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N",
            description = "Size of a symbolic first (batch) axis (default: ${DEFAULT-VALUE}).")
    long batch;

    @Option(names = "--top", defaultValue = "10", paramLabel = "K",
            description = "How many of the largest layers to list (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        OnnxModel loaded = ModelIO.load(model);
        Map<String, long[]> inputShapes = shapeOptions.resolve(loaded, batch);
        ModelSummary summary = new ModelInspector(OrtShapeOracle.INSTANCE).inspect(loaded, inputShapes);
        if (json) {
            Json.write(summary, spec.commandLine().getOut());
        } else {
            SummaryRenderer.render(summary, top, spec.commandLine().getOut());
        }
        return ExitCodes.OK;
    }
}
