package ai.onnxhap.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Entry point of the onnx-hap command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = CommandLineFactory.create(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
