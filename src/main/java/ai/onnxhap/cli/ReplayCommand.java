package ai.onnxhap.cli;

import ai.onnxhap.compress.OutputFiles;
import ai.onnxhap.compress.Replay;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.report.CompressionRenderer;
import ai.onnxhap.report.ConsoleProgress;
import ai.onnxhap.validate.OrtShapeOracle;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-run the compression recorded in a model onnx-hap wrote, from its provenance record alone, "
                + "on the original model and the same data; say whether the result is byte-identical "
                + "(exit 1 when it differs).")
final class ReplayCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COMPRESSED", description = "A model onnx-hap wrote.")
    Path compressed;

    @Option(names = "--original", required = true, paramLabel = "MODEL", description = "The model it was made from.")
    Path original;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.onnx", description = "Also write the replayed model.")
    Path output;

    @Mixin
    DataOptions data;

    @picocli.CommandLine.Mixin
    SplitDataOptions split;

    @Option(names = "--json", description = "Print the replay's report as JSON.")
    boolean json;

    @picocli.CommandLine.Mixin
    DeterminismOption determinism;

    @Override
    public Integer call() {
        OnnxModel recorded = ModelIO.load(compressed);
        determinism.check();
        OnnxModel source = ModelIO.load(original);
        OutputFiles files = OutputFiles.model(output);
        files.check(source);
        var result = Replay.run(recorded, source, data.load(source),
                split.train(data, source),
                split.validation(data, source), OrtShapeOracle.INSTANCE,
                new ConsoleProgress(ProgressStream.of(spec.commandLine().getErr(), json)));
        var written = files.save(result.job(), output == null);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.write(result.job().json(), out);
        } else {
            out.println("Replayed    " + result.record().method() + ", " + result.record().stages().size()
                    + (result.record().stages().size() == 1 ? " stage" : " stages") + " from the record in "
                    + compressed);
            out.println(result.identical() ? "Result      byte-identical to " + compressed
                    : "Result      differs from " + compressed + " (another machine, other TensorFlow kernels or "
                    + "another onnx-hap version?)");
            CompressionRenderer.renderWritten(written, output, out);
        }
        out.flush();
        return result.identical() ? ExitCodes.OK : ExitCodes.ACCURACY_TARGET_MISSED;
    }
}
