package ai.onnxhap.cli;

import ai.onnxhap.tf.train.TrainConfig;
import picocli.CommandLine.Option;

/** Retraining settings shared by compress and finetune (each declares its own --epochs default). */
public final class TrainingOptions {
    @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "adam|sgd", description = "Default: ${DEFAULT-VALUE}.")
    TrainConfig.Optimizer optimizer;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "1e-4", description = "Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "cosine", paramLabel = "cosine|step|constant",
            description = "Learning-rate schedule (default: ${DEFAULT-VALUE}; step: see --step-every, --gamma).")
    TrainConfig.Schedule schedule;

    @Option(names = "--step-every", defaultValue = "1", description = "Epochs between drops of the step schedule.")
    int stepEvery;

    @Option(names = "--gamma", defaultValue = "0.1", description = "Factor of each step-schedule drop.")
    double gamma;

    @Option(names = "--temperature", defaultValue = "4", description = "Distillation temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    TrainConfig config(int epochs, long seed) {
        return new TrainConfig(epochs, batchSize, lr, optimizer, momentum, weightDecay, schedule, stepEvery, gamma,
                temperature, seed);
    }
}
