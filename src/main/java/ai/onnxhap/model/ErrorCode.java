package ai.onnxhap.model;

/** Why an onnx-hap operation failed; the CLI maps each code to its exit status in one place. */
public enum ErrorCode {
    /** The compressed model misses the accuracy target. */
    ACCURACY_TARGET_MISSED,
    /** The caller asked for something that cannot be done: bad option, bad data, output equal to input. */
    USAGE,
    /** The model is not valid ONNX, or uses something onnx-hap does not support. */
    MODEL_NOT_SUPPORTED,
    /** A file could not be read or written. */
    IO
}
