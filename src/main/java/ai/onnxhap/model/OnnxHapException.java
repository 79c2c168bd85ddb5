package ai.onnxhap.model;

/** The one exception type of onnx-hap: a one-line message for the user plus an {@link ErrorCode}. */
public class OnnxHapException extends RuntimeException {
    private final ErrorCode code;

    public OnnxHapException(ErrorCode code, String message) {
        super(oneLine(message));
        this.code = code;
    }

    public OnnxHapException(ErrorCode code, String message, Throwable cause) {
        super(oneLine(message), cause);
        this.code = code;
    }

    /** Names in messages come from untrusted files: control characters are escaped so the message stays one line. */
    static String oneLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        StringBuilder sb = new StringBuilder(Math.min(message.length(), MAX_MESSAGE + 16));
        for (int i = 0; i < message.length() && sb.length() < MAX_MESSAGE; i++) {
            char c = message.charAt(i);
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= MAX_MESSAGE) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static final int MAX_MESSAGE = 2000;

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
