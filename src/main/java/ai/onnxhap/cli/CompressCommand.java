package ai.onnxhap.cli;

import ai.onnxhap.compress.CompressOptions;
import ai.onnxhap.compress.Compressor;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.report.CompressionRenderer;
import ai.onnxhap.report.Json;
import ai.onnxhap.validate.OrtShapeOracle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Prune channels, attention heads and FFN neurons physically and write a smaller ONNX model.")
final class CompressCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model to compress.")
    Path model;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.onnx", description = "Where to write the compressed model.")
    Path output;

    @Option(names = "--ratio", defaultValue = "0.5", paramLabel = "R",
            description = "Fraction of prunable parameters to remove, in [0, 1) (default: ${DEFAULT-VALUE}).")
    double ratio;

    @Option(names = "--criterion", defaultValue = "l1", paramLabel = "hessian|l1|l2|random",
            description = "How units are ranked: hessian (second-order sensitivity on --data, or --synthetic), "
                    + "weight magnitude, or random (default: ${DEFAULT-VALUE}).")
    String criterion;

    @picocli.CommandLine.Mixin
    DataOptions data;

    @Option(names = "--synthetic", description = "Score the hessian criterion on random N(0,1) inputs when there is no data.")
    boolean synthetic;

    @Option(names = "--probes", defaultValue = "16", paramLabel = "N",
            description = "Hutchinson probes for the hessian criterion (default: ${DEFAULT-VALUE}).")
    int probes;

    @Option(names = "--hessian-samples", defaultValue = "256", paramLabel = "N",
            description = "Calibration samples the Hessian is estimated on (default: ${DEFAULT-VALUE}).")
    int hessianSamples;

    @Option(names = "--max-layer-ratio", defaultValue = "0.9", paramLabel = "R",
            description = "At most this fraction of any one layer's units is removed (default: ${DEFAULT-VALUE}).")
    double maxLayerRatio;

    @Option(names = "--round-to", defaultValue = "8", paramLabel = "N",
            description = "Keep channel/neuron counts multiples of N, which vectorised kernels run fastest "
                    + "(default: ${DEFAULT-VALUE}; 1 = no rounding).")
    int roundTo;

    @Option(names = "--exclude", split = ",", paramLabel = "NODE", description = "Node names to leave untouched.")
    List<String> exclude = List.of();

    @Option(names = "--implant", split = ",", paramLabel = "NODE[=RANK]",
            description = "Replace these Conv/Gemm/MatMul nodes by a low-rank pair from the SVD of their weight.")
    List<String> implants = List.of();

    @Option(names = "--implant-budget", defaultValue = "0.5", paramLabel = "F",
            description = "Implant size as a fraction of the original weight when no RANK is given (default: ${DEFAULT-VALUE}).")
    double implantBudget;

    @Option(names = "--shape", paramLabel = "NAME=D0,D1,...", description = "Concrete input shape for the analysis.")
    List<String> shapes = List.of();

    @Option(names = "--seed", defaultValue = "0", description = "Seed for --criterion random (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dry-run", description = "Print the plan; write nothing.")
    boolean dryRun;

    @Option(names = "--report", paramLabel = "FILE.json", description = "Also write the report as JSON.")
    Path report;

    @Option(names = "--json", description = "Print the report as JSON instead of tables.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (output == null && !dryRun) {
            throw OnnxHapException.usage("give an output path with -o, or --dry-run to only see the plan");
        }
        OnnxModel loaded = ModelIO.load(model);
        if (output != null) {
            ModelIO.checkOutput(loaded, output);
        }
        Map<String, long[]> overrides = new LinkedHashMap<>();
        shapes.stream().map(InputShapes::parse).forEach(e -> overrides.put(e.getKey(), e.getValue()));
        Map<String, Integer> implantRanks = new LinkedHashMap<>();
        for (String spec : implants) {
            int eq = spec.lastIndexOf('=');
            try {
                implantRanks.put(eq < 0 ? spec : spec.substring(0, eq), eq < 0 ? 0 : Integer.parseInt(spec.substring(eq + 1)));
            } catch (NumberFormatException e) {
                throw OnnxHapException.usage("--implant expects NODE or NODE=RANK, got '" + spec + "'");
            }
        }
        if (probes < 1 || hessianSamples < 1) {
            throw OnnxHapException.usage("--probes and --hessian-samples must be at least 1");
        }
        var calibration = new CompressOptions.Calibration(data.load(), synthetic, hessianSamples, probes, 64);
        var options = new CompressOptions(new PlanOptions(ratio, maxLayerRatio, Set.copyOf(exclude), roundTo), criterion,
                seed, implantRanks, implantBudget, InputShapes.resolve(Graph.of(loaded), overrides, 1), calibration);
        String sha = Hashing.sha256(model);
        Compressor.Result result = new Compressor(OrtShapeOracle.INSTANCE).compress(loaded, sha, options, dryRun);
        if (report != null) {
            Path tmp = Files.createTempFile(report.toAbsolutePath().getParent(), ".report", ".tmp");
            Files.writeString(tmp, Json.mapper().writeValueAsString(result.report()));
            Files.move(tmp, report, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        if (!dryRun) {
            ModelIO.save(result.model(), output);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.write(result.report(), out);
        } else {
            CompressionRenderer.render(result.report(), out);
            if (!dryRun) {
                out.println("Wrote " + output);
            }
        }
        return ExitCodes.OK;
    }
}
