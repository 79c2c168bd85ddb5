package ai.onnxhap.cli;

import ai.onnxhap.compress.CheckReport;
import ai.onnxhap.compress.CompatibilityCheck;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.report.CheckRenderer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Tell whether a model can be compressed: ops the TensorFlow backend lacks, prunable groups, "
                + "and TensorFlow-vs-ONNX Runtime agreement on a random batch. Exits 3 when it cannot be handled.")
final class CheckCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model.")
    Path model;

    @picocli.CommandLine.Mixin
    ShapeOptions shapeOptions;

    @Option(names = "--batch", defaultValue = "2", paramLabel = "N", description = "Batch size of the check (default: ${DEFAULT-VALUE}).")
    long batch;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @picocli.CommandLine.Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() {
        OnnxModel loaded = ModelIO.load(model);
        CheckReport r = CompatibilityCheck.run(new CompatibilityCheck.Request(loaded,
                shapeOptions.resolve(loaded, batch), runtime.runtime()));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.write(r, out);
        } else {
            CheckRenderer.render(r, out);
        }
        out.flush();
        return r.ok() ? ExitCodes.OK : ExitCodes.MODEL_NOT_SUPPORTED;
    }
}
