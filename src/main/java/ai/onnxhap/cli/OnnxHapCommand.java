package ai.onnxhap.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level command; it only lists the subcommands. */
@Command(name = "onnx-hap",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Make ONNX models smaller: Hessian-aware structured pruning, neural implants and DARB "
                + "block pruning, validated with ONNX Runtime. ONNX in, ONNX out.",
        subcommands = {InspectCommand.class, CheckCommand.class, CompressCommand.class, ReplayCommand.class,
                FinetuneCommand.class, ValidateCommand.class},
        footer = {"", ExitCodes.HELP},
        usageHelpAutoWidth = true)
public final class OnnxHapCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    Verbosity verbosity;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
