package ai.onnxhap.cli;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.report.ConsoleProgress;
import ai.onnxhap.report.Units;
import ai.onnxhap.tf.train.Retraining;
import ai.onnxhap.tf.train.TrainConfig;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
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

    @Override
    public Integer call() {
        OnnxModel student = ModelIO.load(model);
        ModelIO.checkOutput(student, output);
        OnnxModel reference = teacher == null ? student : ModelIO.load(teacher);
        DataSet train = data.load(student);
        if (train == null) {
            throw OnnxHapException.usage("finetune needs training data: --data");
        }
        DataSet val = data.loadOther(student, valData, valLabels, "--val-data/--val-labels");
        TrainConfig config = training.config(epochs, seed);
        PrintStream progress = ProgressStream.of(spec.commandLine().getErr(), json);
        Retraining.Result r = Retraining.run(student, reference, train, val, config, Map.of(), new ConsoleProgress(progress),
                runtime.ortOptions(), runtime.tfDevice());
        ModelIO.save(r.model(), output);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.write(r.report(), out);
        } else {
            var c = r.report().comparison();
            out.printf("Trained %d epochs on %d samples by %s; compared on %d samples%n", epochs,
                    r.report().trainSamples(), r.report().loss(), r.report().validationSamples());
            if (c.referenceAccuracy() != null) {
                out.printf("Accuracy  %s (%s) -> %s (trained)%n", Units.percent(c.referenceAccuracy()),
                        teacher == null ? "before" : "teacher", Units.percent(c.candidateAccuracy()));
            }
            c.outputs().stream().filter(o -> o.top1Agreement() != null).findFirst().ifPresent(o ->
                    out.printf("Top-1 agreement with the %s: %s%n", teacher == null ? "original" : "teacher",
                            Units.percent(o.top1Agreement())));
            out.println("Wrote " + output);
        }
        return ExitCodes.OK;
    }
}
