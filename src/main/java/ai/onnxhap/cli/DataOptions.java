package ai.onnxhap.cli;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ImageFolder;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.data.Preprocess;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Input data options: --data, --labels and --preprocess, in the formats DataLoader reads. */
public final class DataOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--data", paramLabel = "FILE|DIR",
            description = "Inputs: .npz (arrays named after the model inputs, optional 'labels'), .npy (single-input "
                    + "models; read from disk in batches), a folder in ONNX test-data layout (input_0.pb, ...) or an "
                    + "image folder with one sub-folder per class (class index = sorted folder name).")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE.npy", description = "Integer class labels for --data.")
    Path labels;

    @Option(names = "--preprocess", paramLabel = "SPEC",
            description = "How images of an image-folder data set become inputs, e.g. resize=256,crop=224,"
                    + "mean=0.485,0.456,0.406,std=0.229,0.224,0.225,layout=NCHW (also channels=1|3). Pixels are "
                    + "scaled to [0,1] first; defaults: no resize or crop, mean 0, std 1, NCHW, channels as the images.")
    String preprocess;

    /** The data set, or null when none was given. */
    DataSet load() {
        if (data == null) {
            if (labels != null) {
                throw OnnxHapException.usage("--labels needs --data");
            }
            preprocess();
            return null;
        }
        return announced(data, DataLoader.load(data, labels, preprocess()));
    }

    /**
     * The data set checked against the model's inputs and classes (shape, type, NaN/Inf, label range) over
     * every sample in file order, before any split could hide a bad sample; null when none was given.
     */
    DataSet load(OnnxModel model) {
        DataSet set = load();
        return set == null ? null : ModelInputs.bind(set, model);
    }

    /**
     * Another data set in the same formats and with the same {@code --preprocess} (e.g. --train-data with
     * --train-labels), checked against the model's inputs and classes at once so a mistake fails before
     * any work; null when {@code other} is null.
     *
     * @param names the two options, for messages, e.g. "--train-data/--train-labels"
     */
    DataSet loadOther(OnnxModel model, Path other, Path otherLabels, String names) {
        if (other == null) {
            if (otherLabels != null) {
                throw OnnxHapException.usage(names.substring(names.indexOf('/') + 1) + " needs "
                        + names.substring(0, names.indexOf('/')));
            }
            return null;
        }
        return ModelInputs.bind(announced(other, DataLoader.load(other, otherLabels, preprocess())), model);
    }

    /** Labels of an image folder come from its sorted sub-folder names: say which name became which index. */
    private DataSet announced(Path path, DataSet set) {
        if (command != null && DataLoader.isImageFolder(path)) {
            List<String> classes = ImageFolder.classes(path);
            command.commandLine().getErr().println("onnx-hap: " + path + ": " + set.size() + " images, classes "
                    + IntStream.range(0, classes.size()).mapToObj(i -> classes.get(i) + "=" + i)
                    .collect(Collectors.joining(", ")));
        }
        return set;
    }

    /** The parsed --preprocess, or null when it was not given. */
    Preprocess preprocess() {
        return preprocess == null ? null : Preprocess.parse(preprocess);
    }

    String describe() {
        return data == null ? "none" : data.toString();
    }
}
