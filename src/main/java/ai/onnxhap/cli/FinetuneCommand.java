package ai.onnxhap.cli;

import ai.onnxhap.compress.OutputFiles;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.report.ConsoleProgress;
import ai.onnxhap.report.CompressionRenderer;
import ai.onnxhap.report.TrainingRenderer;
import ai.onnxhap.tf.train.FinetuneRequest;
import ai.onnxhap.tf.train.Retraining;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Retrain a model's weights with TensorFlow (labels: cross-entropy; none: distillation from "
                + "--teacher) and write them back into the ONNX model; the graph is unchanged.")
final class FinetuneCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model to train.")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx", description = "Where to write it.")
    Path output;

    @Mixin
    DataOptions data;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--val-data", paramLabel = "FILE|DIR", description = "Validation inputs (default: the training data).")
    Path valData;

    @Option(names = "--val-labels", paramLabel = "FILE.npy", description = "Validation labels.")
    Path valLabels;

    @Option(names = "--teacher", paramLabel = "MODEL", description = "Teacher for distillation and the comparison "
            + "(default: MODEL itself).")
    Path teacher;

    @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Mixin
    TrainingOptions training;

    @Option(names = "--seed", defaultValue = "0", description = "Shuffling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @picocli.CommandLine.Mixin
    DeterminismOption determinism;

    @Override
    public Integer call() {
        OnnxModel student = ModelIO.load(model);
        determinism.check();
        OutputFiles files = OutputFiles.model(output);
        files.check(student);
        var rt = runtime.runtime();
        var request = new FinetuneRequest(student, teacher == null ? null : ModelIO.load(teacher), data.load(student),
                data.loadOther(student, valData, valLabels, "--val-data/--val-labels"), training.config(epochs, seed),
                rt.ort(), rt.device());
        PrintStream progress = ProgressStream.of(spec.commandLine().getErr(), json);
        Retraining.Result r = Retraining.run(request, new ConsoleProgress(progress));
        var written = files.save(r.model(), r.report(), true, false);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.write(r.report(), out);
        } else {
            TrainingRenderer.render(r.report(), request.hasTeacher(), out);
            CompressionRenderer.renderWritten(written, output, out);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
