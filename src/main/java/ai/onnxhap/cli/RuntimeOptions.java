package ai.onnxhap.cli;

import ai.onnxhap.validate.OrtModel;
import picocli.CommandLine.Option;

/** ONNX Runtime settings shared by every command that runs models. */
public final class RuntimeOptions {
    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Intra-op threads for ONNX Runtime; fixed so latencies compare (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu|auto",
            description = "Where ONNX Runtime and TensorFlow run: cpu, gpu (CUDA; needs the -Pgpu build) or auto "
                    + "(default: ${DEFAULT-VALUE}).")
    String device;

    ai.onnxhap.tf.TfModel.Device tfDevice() {
        return switch (OrtModel.Device.parse(device)) {
            case CPU -> ai.onnxhap.tf.TfModel.Device.CPU;
            case CUDA -> ai.onnxhap.tf.TfModel.Device.GPU;
            case AUTO -> ai.onnxhap.tf.TfModel.Device.AUTO;
        };
    }

    OrtModel.Options ortOptions() {
        return OrtModel.Options.defaults().withThreads(threads).withDevice(OrtModel.Device.parse(device));
    }
}
