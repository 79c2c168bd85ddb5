package ai.onnxhap.cli;

import ai.onnxhap.model.ModelIO;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.report.ValidationRenderer;
import ai.onnxhap.validate.ValidationReport;
import ai.onnxhap.validate.ValidationRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Compare an original and a compressed model in ONNX Runtime: output agreement, accuracy with "
                + "labels, parameters, MACs and latency side by side. Exits 1 when --max-accuracy-drop is missed.")
final class ValidateCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ORIGINAL", description = "The reference model.")
    Path original;

    @Parameters(index = "1", paramLabel = "COMPRESSED", description = "The model to check against it.")
    Path compressed;

    @Mixin
    DataOptions data;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--samples", defaultValue = "64", paramLabel = "N",
            description = "Synthetic samples when no --data is given (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N",
            description = "Batch size for comparison and latency (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "N", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", defaultValue = "30", paramLabel = "N", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--max-accuracy-drop", paramLabel = "POINTS",
            description = "Fail (exit 1) when accuracy drops by more than this many percentage points "
                    + "(without labels: share of changed top-1 predictions).")
    Double maxAccuracyDrop;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for synthetic inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        var reference = ModelIO.load(original);
        var candidate = ModelIO.load(compressed);
        var settings = new ValidationRunner.Settings(data.load(), data.describe(), samples, batchSize, warmup, runs,
                runtime.runtime().ort(), maxAccuracyDrop, seed);
        ValidationReport report = ValidationRunner.run(reference, candidate, settings);
        if (json) {
            Json.write(report, spec.commandLine().getOut());
        } else {
            ValidationRenderer.render(report, spec.commandLine().getOut());
        }
        return report.passed() ? ExitCodes.OK : ExitCodes.ACCURACY_TARGET_MISSED;
    }
}
