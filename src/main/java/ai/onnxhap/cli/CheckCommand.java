package ai.onnxhap.cli;

import ai.onnxhap.compress.CheckReport;
import ai.onnxhap.compress.CompatibilityCheck;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.provenance.Json;
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

    @Override
    public Integer call() {
        OnnxModel loaded = ModelIO.load(model);
        CheckReport r = CompatibilityCheck.run(loaded, shapeOptions.resolve(loaded, batch));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.write(r, out);
        } else {
            out.println("Model              " + r.model());
            out.println("TensorFlow import  " + (r.unsupportedOps().isEmpty() && r.importError() == null ? "ok"
                    : !r.unsupportedOps().isEmpty() ? "unsupported ops: " + String.join(", ", r.unsupportedOps())
                    : "failed: " + r.importError()));
            out.println("TF vs ORT          " + (r.tfVsOrtRelativeError() == null ? "not run"
                    : String.format("max relative error %.2e (tolerance %.0e)", r.tfVsOrtRelativeError(), r.tolerance())));
            out.println("Prunable groups    " + (r.prunableByKind().isEmpty() ? "none" : r.prunableByKind()));
            r.prunable().forEach(g -> out.printf("  %-44s %-9s %5d units%s%n", g.group(), g.kind(), g.units(),
                    g.exact() ? "" : "  (inexact: changes normalisation statistics)"));
            if (!r.notPrunable().isEmpty()) {
                out.println("Not prunable       " + r.notPrunable().size() + " groups:");
                r.notPrunable().forEach(s -> out.println("  " + s));
            }
            out.println(r.ok() ? "Verdict            onnx-hap can compress this model"
                    : "Verdict            onnx-hap cannot handle this model yet");
            out.flush();
        }
        return r.ok() ? ExitCodes.OK : ExitCodes.MODEL_NOT_SUPPORTED;
    }
}
