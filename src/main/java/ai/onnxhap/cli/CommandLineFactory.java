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

    /** "per-cost" → PER_COST; anything else is refused naming the values there are, as the user writes them. */
    static <E extends Enum<E>> CommandLine.ITypeConverter<E> hyphenated(Class<E> type) {
        return text -> {
            try {
                return Enum.valueOf(type, text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not one of " + String.join(", ",
                        java.util.Arrays.stream(type.getEnumConstants())
                                .map(c -> c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).toList()));
            }
        };
    }

    public static CommandLine create(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new OnnxHapCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // Enums whose values users write with hyphens (per-cost, fixed-block) convert here, not in the commands.
        cl.registerConverter(ai.onnxhap.plan.PlanOptions.Ranking.class, hyphenated(ai.onnxhap.plan.PlanOptions.Ranking.class));
        cl.registerConverter(ai.onnxhap.plan.sparse.SparsityPattern.class,
                hyphenated(ai.onnxhap.plan.sparse.SparsityPattern.class));
        cl.registerConverter(ai.onnxhap.rewrite.ChannelImplant.Style.class,
                hyphenated(ai.onnxhap.rewrite.ChannelImplant.Style.class));
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
