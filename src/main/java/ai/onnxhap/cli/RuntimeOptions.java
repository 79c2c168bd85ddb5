package ai.onnxhap.cli;

import ai.onnxhap.compress.CompressOptions;
import ai.onnxhap.validate.OrtModel;
import picocli.CommandLine.Option;

/** Where models run, shared by every command that runs them: ONNX Runtime's threads, both runtimes' device. */
public final class RuntimeOptions {
    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Intra-op threads for ONNX Runtime; fixed so latencies compare (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu|auto",
            description = "Where ONNX Runtime and TensorFlow run: cpu, gpu (CUDA; needs the -Pgpu build) or auto "
                    + "(default: ${DEFAULT-VALUE}).")
    OrtModel.Device device;

    CompressOptions.Runtime runtime() {
        return CompressOptions.Runtime.of(threads, device);
    }
}
