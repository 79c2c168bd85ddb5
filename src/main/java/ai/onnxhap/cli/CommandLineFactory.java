package ai.onnxhap.cli;

import ai.onnxhap.model.OnnxHapException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Builds the configured {@link CommandLine}: writers injected (so tests capture everything), exit codes
 * mapped in {@link ExitCodes}, failures printed as one line (stack trace only with --verbose).
 */
public final class CommandLineFactory {
    private CommandLineFactory() {
    }

    public static CommandLine create(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new OnnxHapCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        cl.setExitCodeExceptionMapper(ex -> ex instanceof OnnxHapException hap ? ExitCodes.of(hap.code())
                : ExitCodes.INTERNAL);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter e = ex.getCommandLine().getErr();
            e.println("onnx-hap: " + ex.getMessage());
            e.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            e.flush();
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            if (ex instanceof OnnxHapException hap) {
                e.println("onnx-hap: " + hap.getMessage());
            } else {
                e.println("onnx-hap: internal error: " + ex + (verbose ? "" : " (run with --verbose for details)"));
            }
            if (verbose) {
                ex.printStackTrace(e);
            }
            e.flush();
            return commandLine.getExitCodeExceptionMapper().getExitCode(ex);
        });
        return cl;
    }
}
