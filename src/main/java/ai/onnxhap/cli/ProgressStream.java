package ai.onnxhap.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Progress bars want a PrintStream; commands write through the error writer the command line was built with
 * (tests capture it). This stream hands each line, or each carriage-return update of a bar, to that writer.
 */
final class ProgressStream extends OutputStream {
    private final PrintWriter err;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private ProgressStream(PrintWriter err) {
        this.err = err;
    }

    /** Progress for a command: to its error writer, or nowhere when stdout carries JSON for a machine. */
    static PrintStream of(PrintWriter err, boolean quiet) {
        return quiet ? new PrintStream(OutputStream.nullOutputStream())
                : new PrintStream(new ProgressStream(err), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        pending.write(b);
        if (b == '\n' || b == '\r') {
            flush();
        }
    }

    @Override
    public synchronized void flush() {
        if (pending.size() > 0) {
            err.write(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
        }
        err.flush();
    }
}
