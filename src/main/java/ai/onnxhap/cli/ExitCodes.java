package ai.onnxhap.cli;

import ai.onnxhap.model.ErrorCode;

/** The one place where failures become process exit codes (documented in --help and the README). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int ACCURACY_TARGET_MISSED = 1;
    public static final int USAGE = 2;
    public static final int MODEL_NOT_SUPPORTED = 3;
    public static final int IO = 4;
    /** A bug in onnx-hap: an unexpected exception. */
    public static final int INTERNAL = 70;

    private ExitCodes() {
    }

    public static int of(ErrorCode code) {
        return switch (code) {
            case ACCURACY_TARGET_MISSED -> ACCURACY_TARGET_MISSED;
            case USAGE -> USAGE;
            case MODEL_NOT_SUPPORTED -> MODEL_NOT_SUPPORTED;
            case IO -> IO;
        };
    }

    static final String HELP = """
            Exit codes:
              0   success
              1   accuracy target missed (the model is not written)
              2   usage error: bad option, bad data, output path equal to the input
              3   model not supported or not valid ONNX
              4   I/O error: missing file, unreadable input, unwritable output
              70  internal error (please report it, with --verbose output)""";
}
