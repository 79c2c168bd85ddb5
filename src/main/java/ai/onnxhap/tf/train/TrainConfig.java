package ai.onnxhap.tf.train;

import ai.onnxhap.model.OnnxHapException;

/**
 * Fine-tuning settings.
 *
 * @param weightDecay L2 added to the gradient for SGD; decoupled (AdamW) for Adam
 * @param stepEvery   epochs between learning-rate drops for the step schedule
 * @param gamma       factor of each drop
 * @param temperature softening of teacher and student for distillation
 */
public record TrainConfig(int epochs, int batchSize, double learningRate, Optimizer optimizer, double momentum,
                          double weightDecay, Schedule schedule, int stepEvery, double gamma, double temperature,
                          long seed) {

    public enum Optimizer { SGD, ADAM }

    public enum Schedule { CONSTANT, COSINE, STEP }

    public TrainConfig {
        if (epochs < 0 || batchSize < 1) {
            throw OnnxHapException.usage("--epochs must be ≥ 0 and --batch-size ≥ 1");
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw OnnxHapException.usage("--lr must be a positive number, got " + learningRate);
        }
        if (momentum < 0 || momentum >= 1 || weightDecay < 0 || !(temperature > 0) || stepEvery < 1) {
            throw OnnxHapException.usage("momentum must be in [0,1), weight decay ≥ 0, temperature > 0");
        }
    }

    public static TrainConfig defaults() {
        return new TrainConfig(3, 64, 1e-3, Optimizer.ADAM, 0.9, 1e-4, Schedule.COSINE, 1, 0.1, 4.0, 0);
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batchSize, learningRate, optimizer, momentum, weightDecay, schedule, stepEvery, gamma,
                temperature, seed);
    }

    /** The rate for a step: cosine decays to 0 over all steps, step drops by gamma every stepEvery epochs. */
    public double rateAt(int epoch, long step, long totalSteps) {
        return switch (schedule) {
            case CONSTANT -> learningRate;
            case COSINE -> 0.5 * learningRate * (1 + Math.cos(Math.PI * step / Math.max(1, totalSteps)));
            case STEP -> learningRate * Math.pow(gamma, epoch / stepEvery);
        };
    }
}
