package ai.onnxhap.cli;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Input data options: --data and --labels, in the formats DataLoader reads. */
public final class DataOptions {
    @Option(names = "--data", paramLabel = "FILE|DIR",
            description = "Inputs: .npz (arrays named after the model inputs, optional 'labels'), .npy (single-input "
                    + "models) or a folder in ONNX test-data layout (input_0.pb, ...).")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE.npy", description = "Integer class labels for --data.")
    Path labels;

    /** The data set, or null when none was given. */
    DataSet load() {
        if (data == null) {
            if (labels != null) {
                throw ai.onnxhap.model.OnnxHapException.usage("--labels needs --data");
            }
            return null;
        }
        return labels == null ? DataLoader.load(data) : DataLoader.load(data, labels);
    }

    String describe() {
        return data == null ? "none" : data.toString();
    }
}
