package ai.onnxhap.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** --verbose, shared by every subcommand: full stack traces on failure. */
public final class Verbosity {
    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Print stack traces and extra detail on failure.")
    boolean verbose;
}
