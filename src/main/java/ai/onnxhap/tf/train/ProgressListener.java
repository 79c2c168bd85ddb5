package ai.onnxhap.tf.train;

/** Receives training progress; the CLI draws a bar from it, tests ignore it. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {
    };

    default void epochStarted(int epoch, int epochs, long steps) {
    }

    default void step(double loss, long samples) {
    }

    default void epochFinished(EpochStats stats) {
    }

    /** One epoch's outcome: mean loss over its samples, throughput and the rate it ended at. */
    record EpochStats(int epoch, double meanLoss, double samplesPerSecond, double learningRate) {
    }
}
