package ai.onnxhap.cli;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.OnnxModel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Separate retraining and validation sets beside --data, shared by compress and replay. */
public final class SplitDataOptions {
    @Option(names = "--train-data", paramLabel = "FILE|DIR", description = "Retraining data (default: 80%% of --data, "
            + "split with --seed).")
    Path trainData;

    @Option(names = "--train-labels", paramLabel = "FILE.npy", description = "Labels for --train-data.")
    Path trainLabels;

    @Option(names = "--val-data", paramLabel = "FILE|DIR", description = "Validation data (default: the other 20%% of "
            + "--data).")
    Path valData;

    @Option(names = "--val-labels", paramLabel = "FILE.npy", description = "Labels for --val-data.")
    Path valLabels;

    /** --train-data in --data's formats and preprocessing, checked against the model; null when not given. */
    DataSet train(DataOptions data, OnnxModel model) {
        return data.loadOther(model, trainData, trainLabels, "--train-data/--train-labels");
    }

    /** --val-data likewise. */
    DataSet validation(DataOptions data, OnnxModel model) {
        return data.loadOther(model, valData, valLabels, "--val-data/--val-labels");
    }
}
