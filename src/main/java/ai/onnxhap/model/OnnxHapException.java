package ai.onnxhap.model;

/** The one exception type of onnx-hap: a one-line message for the user plus an {@link ErrorCode}. */
public class OnnxHapException extends RuntimeException {
    private final ErrorCode code;

    public OnnxHapException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public OnnxHapException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static OnnxHapException invalidModel(String message) {
        return new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED, message);
    }

    public static OnnxHapException usage(String message) {
        return new OnnxHapException(ErrorCode.USAGE, message);
    }

    public static OnnxHapException io(String message, Throwable cause) {
        return new OnnxHapException(ErrorCode.IO, message, cause);
    }
}
