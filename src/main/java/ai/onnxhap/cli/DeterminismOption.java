package ai.onnxhap.cli;

import ai.onnxhap.tf.NativeEnvironment;
import picocli.CommandLine.Option;

/** --deterministic, for the commands that train: the same bytes from the same seed, at some speed. */
public final class DeterminismOption {
    @Option(names = "--deterministic",
            description = "Train with TensorFlow's own kernels instead of oneDNN, whose sums have a fixed order by "
                    + "construction: the same seed and data give the same bytes on this machine (the default path "
                    + "did too in our checks, without that guarantee); training and Hessian scoring take about "
                    + "1.25-1.6x as long. ./onnx-hap selects the kernels when it sees it (TF_ENABLE_ONEDNN_OPTS=0).")
    boolean deterministic;

    /** Refuses --deterministic in a JVM whose TensorFlow already runs oneDNN. */
    void check() {
        if (deterministic) {
            NativeEnvironment.requireDeterministic();
        }
    }
}
