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

    /** A library parser as a converter: its one-line usage message becomes picocli's "Invalid value" line. */
    static <T> CommandLine.ITypeConverter<T> parsedBy(java.util.function.Function<String, T> parser) {
        return text -> {
            try {
                return parser.apply(text);
            } catch (OnnxHapException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        };
    }

    /** A number no smaller than a floor, or one keyword standing for a special value (auto, none). */
    abstract static class KeywordOrNumber<T extends Number> implements CommandLine.ITypeConverter<T> {
        private final String keyword;
        private final T keywordValue;
        private final java.util.function.Function<String, T> parse;
        private final double floor;
        private final String what;

        KeywordOrNumber(String keyword, T keywordValue, java.util.function.Function<String, T> parse, double floor,
                        String what) {
            this.keyword = keyword;
            this.keywordValue = keywordValue;
            this.parse = parse;
            this.floor = floor;
            this.what = what;
        }

        @Override
        public T convert(String text) {
            if (text.trim().equalsIgnoreCase(keyword)) {
                return keywordValue;
            }
            try {
                T n = parse.apply(text.trim());
                if (n.doubleValue() >= floor && Double.isFinite(n.doubleValue())) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new CommandLine.TypeConversionException("'" + text + "' is neither " + keyword + " nor " + what);
        }
    }

    /** --probes: a count, or auto (0: draw until the ranking settles). */
    static final class ProbeCount extends KeywordOrNumber<Integer> {
        ProbeCount() {
            super("auto", 0, Integer::valueOf, 1, "a count of at least 1");
        }
    }

    /** --max-accuracy-drop: points, or none (no gate). */
    static final class MaxDrop extends KeywordOrNumber<Double> {
        MaxDrop() {
            super("none", ai.onnxhap.compress.AccuracyGate.NO_TARGET, Double::valueOf, 0, "a number of points >= 0");
        }
    }

    /** --round-to: a width multiple of at least 1, or auto (measured, see KernelWidths). */
    static final class RoundTo extends KeywordOrNumber<Integer> {
        RoundTo() {
            super("auto", ai.onnxhap.plan.PlanOptions.AUTO_ROUND, Integer::valueOf, 1, "a width of at least 1");
        }
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
        // Values parsed once, by the library's own parsers, into the types the requests carry.
        cl.registerConverter(ai.onnxhap.plan.Ratio.class, parsedBy(ai.onnxhap.plan.Ratio::parse));
        cl.registerConverter(ai.onnxhap.compress.NodeImplant.class, parsedBy(ai.onnxhap.compress.NodeImplant::parse));
        cl.registerConverter(ai.onnxhap.validate.OrtModel.Device.class,
                parsedBy(ai.onnxhap.validate.OrtModel.Device::parse));
        cl.setUsageHelpAutoWidth(true);
        cl.setExitCodeExceptionMapper(ex -> ex instanceof OnnxHapException hap ? ExitCodes.of(hap.code())
                : ExitCodes.INTERNAL);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter e = ex.getCommandLine().getErr();
            // one line, as every other refusal: what is wrong, then where the usage is
            e.println("onnx-hap: " + ex.getMessage() + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help')");
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
