package ai.onnxhap.cli;

import ai.onnxhap.compress.CompressOptions;
import ai.onnxhap.compress.CompressionJob;
import ai.onnxhap.compress.DarbCompression;
import ai.onnxhap.compress.DarbOptions;
import ai.onnxhap.compress.DarbRequest;
import ai.onnxhap.compress.HapRequest;
import ai.onnxhap.compress.JobResult;
import ai.onnxhap.compress.NodeImplant;
import ai.onnxhap.compress.OutputFiles;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.plan.Ratio;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.report.CompressionRenderer;
import ai.onnxhap.report.ConsoleProgress;
import ai.onnxhap.report.DarbRenderer;
import ai.onnxhap.report.SensitivityPlot;
import ai.onnxhap.rewrite.ChannelImplant;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtShapeOracle;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
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

    /** The two methods; which options each reads is listed below. */
    enum Method { HAP, DARB }

    @Option(names = "--method", defaultValue = "hap", paramLabel = "hap|darb",
            description = "hap: structured pruning of channels, heads and neurons with implants; darb: density-adaptive "
                    + "regular-block sparsity in large weight matrices, stored sparse (default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--ratio", paramLabel = "R",
            description = "A fraction to remove (0.94 removes 94%%) or Nx (16x keeps 1 in 16). hap: of the prunable "
                    + "parameters (default 0.5); darb: of each matrix (default 16x).")
    Ratio ratio;

    @Option(names = "--target-macs", paramLabel = "R",
            description = "Remove this fraction of the prunable MACs instead of a parameter --ratio.")
    Double targetMacs;

    @Option(names = "--target-latency", paramLabel = "R",
            description = "Remove this fraction of the original's latency in ONNX Runtime instead of a parameter "
                    + "--ratio: the parameter ratio that does it is found by timing pruned candidates against the "
                    + "original (at the analysis shapes, --threads, --device).")
    Double targetLatency;

    @Option(names = "--criterion", paramLabel = "CRITERION",
            description = "hap: hessian (second-order sensitivity on --data, or --synthetic), l1, l2 or random "
                    + "(default hessian); darb: magnitude or hessian (diag(H)·w² on --data) (default magnitude).")
    String criterion;

    @Option(names = "--pattern", defaultValue = "darb", paramLabel = "darb|fixed-block|row-balanced|irregular",
            description = "darb: the sparsity layout; the others are the baselines DARB is compared with "
                    + "(default: ${DEFAULT-VALUE}).")
    ai.onnxhap.plan.sparse.SparsityPattern pattern;

    @Option(names = "--dense", description = "darb: write pruned weights as dense tensors with zeros, not sparse_initializers.")
    boolean dense;

    @Option(names = "--export-blocks", paramLabel = "FILE.json",
            description = "darb: also write the block layout (per matrix and row: block size and kept columns).")
    Path exportBlocks;

    @Option(names = "--min-elements", defaultValue = "4096", paramLabel = "N",
            description = "darb: weights with fewer elements stay dense (default: ${DEFAULT-VALUE}).")
    int minElements;

    @picocli.CommandLine.Mixin
    DataOptions data;

    @Option(names = "--synthetic", description = "Score the hessian criterion on random N(0,1) inputs when there is no data.")
    boolean synthetic;

    @Option(names = "--probes", defaultValue = "16", paramLabel = "N|auto", converter = CommandLineFactory.ProbeCount.class,
            description = "Hutchinson probes for the hessian criterion; auto draws until the least sensitive 30%% of "
                    + "structures stop changing (8 to 128 probes) (default: ${DEFAULT-VALUE}).")
    int probes;

    @Option(names = "--hessian-samples", defaultValue = "256", paramLabel = "N",
            description = "Calibration samples the Hessian is estimated on (default: ${DEFAULT-VALUE}).")
    int hessianSamples;

    @Option(names = "--ranking", defaultValue = "score", paramLabel = "score|per-cost",
            description = "How Hessian sensitivities of different layers compete: the lowest first (score, HAP's "
                    + "paper), or the lowest per parameter (or MAC) the removal frees (per-cost). Data-free "
                    + "criteria are normalised per layer either way (default: ${DEFAULT-VALUE}).")
    PlanOptions.Ranking ranking;

    @Option(names = "--max-layer-ratio", defaultValue = "0.95", paramLabel = "R",
            description = "At most this fraction of any one layer's units is removed (default: ${DEFAULT-VALUE}).")
    double maxLayerRatio;

    @Option(names = "--round-to", defaultValue = "auto", paramLabel = "N|auto",
            converter = CommandLineFactory.RoundTo.class,
            description = "Keep channel/neuron counts multiples of N, which vectorised kernels run fastest; auto "
                    + "times the model pruned at 8 and at 16 in ONNX Runtime and keeps the faster (ResNet-18 at 0.5 "
                    + "ran 2.06x faster at 16, 1.45x at 8; a 28x28 ResNet the other way round), remembered per "
                    + "model, settings and machine (default: ${DEFAULT-VALUE}; 1 = no rounding).")
    int roundTo;

    @Option(names = "--prune-hidden", description = "Also cut the residual-stream (hidden) width of transformers. "
            + "Its removal changes every LayerNorm's statistics, so it is off by default.")
    boolean pruneHidden;

    @Option(names = "--exclude", split = ",", paramLabel = "NODE", description = "Node names to leave untouched.")
    List<String> exclude = List.of();

    @Option(names = "--implant-ratio", defaultValue = "0", paramLabel = "F",
            description = "Of the units the ranking would remove, the most sensitive share gets a neural implant "
                    + "instead; implants count in the budget. Off by default: each splits its layer into kept part "
                    + "+ implant + Concat, which ONNX Runtime runs slower (ResNet-18 at 0.5: 1.07x faster with 0.1, "
                    + "2.06x without) (default: ${DEFAULT-VALUE}).")
    double implantRatio;

    @Option(names = "--implant", defaultValue = "lowrank", paramLabel = "lowrank|pointwise",
            description = "Implant kind: a low-rank pair (k×k C_in→r Conv + 1×1 r→C, or MatMul in→r→out) or HAP's 1×1 "
                    + "Conv (default: ${DEFAULT-VALUE}). Each is fitted by least squares on the calibration data.")
    ChannelImplant.Style implantStyle;

    @Option(names = "--no-implant-fit", description = "Keep implants at their SVD / centre-tap start (no least squares).")
    boolean noImplantFit;

    @Option(names = "--implant-node", split = ",", paramLabel = "NODE[=RANK]",
            description = "Also replace these whole Conv/Gemm/MatMul nodes by a low-rank pair from the SVD of their weight.")
    List<NodeImplant> implants = List.of();

    @Option(names = "--implant-budget", defaultValue = "0.5", paramLabel = "F",
            description = "Low-rank implant size as a fraction of the weight it replaces, when no RANK is given "
                    + "(default: ${DEFAULT-VALUE}).")
    double implantBudget;

    @picocli.CommandLine.Mixin
    ShapeOptions shapeOptions;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for --criterion random (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dry-run", description = "Print the plan; write nothing.")
    boolean dryRun;

    @Option(names = "--epochs", defaultValue = "2", paramLabel = "N",
            description = "Retraining epochs after pruning when there is data (default: ${DEFAULT-VALUE}; 0 = none).")
    int epochs;

    @picocli.CommandLine.Mixin
    TrainingOptions trainingOptions;

    @picocli.CommandLine.Mixin
    SplitDataOptions split;

    @Option(names = "--max-accuracy-drop", paramLabel = "POINTS|none", converter = CommandLineFactory.MaxDrop.class,
            description = "Accuracy target: exit 1 and write nothing when the drop exceeds this (without labels: "
                    + "share of changed top-1 predictions). Default with validation data: 1 point; none: measure "
                    + "but never refuse.")
    Double maxAccuracyDrop;

    @Option(names = "--steps", defaultValue = "1", paramLabel = "N",
            description = "Prune in N stages with retraining between them (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--search", description = "Find the largest ratio up to --ratio that meets --max-accuracy-drop "
            + "(bisection; the model is scored once).")
    boolean search;

    @Option(names = "--search-rounds", defaultValue = "5", paramLabel = "N", description = "Ratios tried by --search "
            + "(default: ${DEFAULT-VALUE}).")
    int searchRounds;

    @Option(names = "--min-speedup", paramLabel = "X",
            description = "Speed target: exit 1 and write nothing unless the compressed model runs at least X times as "
                    + "fast as the original in ONNX Runtime (timed side by side at the analysis shapes, --threads, "
                    + "--device). Default: not slower than the original (below 0.95x, measured twice); 0 turns it off.")
    Double minSpeedup;

    @Option(names = "--keep-failed", description = "Write the model even when it misses --max-accuracy-drop.")
    boolean keepFailed;

    @picocli.CommandLine.Mixin
    RuntimeOptions runtime;

    @Option(names = "--report", paramLabel = "FILE.json", description = "Also write the report as JSON.")
    Path report;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw per-group scores and kept/removed units.")
    Path plot;

    @Option(names = "--json", description = "Print the report as JSON instead of tables.")
    boolean json;

    @picocli.CommandLine.Mixin
    DeterminismOption determinism;

    @Override
    public Integer call() {
        if (output == null && !dryRun) {
            throw OnnxHapException.usage("give an output path with -o, or --dry-run to only see the plan");
        }
        refuseOptionsOfTheOtherMethod();
        determinism.check();
        OnnxModel loaded = ModelIO.load(model);
        OutputFiles files = new OutputFiles(output, report, exportBlocks, keepFailed);
        files.check(loaded);
        DataSet calibration = data.load(loaded);
        var jobData = CompressionJob.Data.of(calibration,
                split.train(data, loaded),
                split.validation(data, loaded), seed);
        TrainConfig training = trainingOptions.config(epochs, seed);
        var progress = new ConsoleProgress(ProgressStream.of(spec.commandLine().getErr(), json));
        if (method == Method.DARB) {
            var options = DarbOptions.of(ratio, pattern, criterion, steps, minElements, Set.copyOf(exclude), dense,
                    DarbOptions.Calibration.of(calibration, hessianSamples, probes), seed);
            var result = DarbCompression.run(DarbRequest.of(loaded, options, jobData, training, maxAccuracyDrop,
                    runtime.runtime(), dryRun), progress);
            return finish(result, files.save(result, dryRun), () -> DarbRenderer.render(result.report(), out()));
        }
        var calib = CompressOptions.Calibration.of(calibration, synthetic, hessianSamples, probes);
        var options = new CompressOptions(PlanOptions.of(ratio, targetMacs, targetLatency, maxLayerRatio, Set.copyOf(exclude),
                roundTo, ranking, pruneHidden), criterion, seed, NodeImplant.ranks(implants), implantBudget,
                shapeOptions.resolve(loaded, 1, calibration), calib,
                new CompressOptions.Implanting(implantRatio, implantStyle, !noImplantFit), runtime.runtime());
        var request = new HapRequest(loaded, HapRequest.hash(loaded), options, steps, jobData, training,
                maxAccuracyDrop, dryRun, search ? searchRounds : null, minSpeedup);
        if (search) {
            var outcome = CompressionJob.search(request, OrtShapeOracle.INSTANCE, progress);
            var written = files.save(outcome);
            if (json) {
                Json.write(outcome, out());
            } else {
                CompressionRenderer.renderSearch(outcome, written, output, out());
            }
            return written == OutputFiles.Written.MODEL ? ExitCodes.OK : ExitCodes.ACCURACY_TARGET_MISSED;
        }
        var job = CompressionJob.run(request, OrtShapeOracle.INSTANCE, progress);
        if (plot != null) {
            SensitivityPlot.write(job.report(), plot);
        }
        return finish(job, files.save(job, dryRun), () -> {
            CompressionRenderer.render(job.report(), out());
            if (job.widths() != null) {
                CompressionRenderer.renderWidths(job.widths(), out());
            }
            if (job.latency() != null) {
                CompressionRenderer.renderLatencyFit(job.latency(), out());
            }
            CompressionRenderer.renderStages(job.steps(), job.stageRatio(), out());
        });
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** The result as JSON or as tables, what was written, and the exit code the gate decided. */
    private int finish(JobResult result, OutputFiles.Written written, Runnable tables) {
        var set = result.gate() == null ? null : result.gate().validationSet();
        if (set != null && set.overlap() > 0) {
            spec.commandLine().getErr().printf("onnx-hap: warning: %,d of the %,d validation rows (%s) are also "
                    + "training rows, so the gate measures training accuracy; give held-out rows with --val-data%n",
                    set.overlap(), set.rows(), set.source());
        }
        if (result.gate() == null && !dryRun) {
            spec.commandLine().getErr().println("onnx-hap: no data given: " + (method == Method.DARB ? "masked"
                    : "pruned") + " without retraining or validation");
        }
        if (result.gate() != null && result.gate().tooSmallForTarget()) {
            var c = result.gate().comparison();
            spec.commandLine().getErr().printf("onnx-hap: warning: %d validation samples are too few to resolve a "
                    + "%.2f-point target%s; give at least %,d held-out samples with --val-data%n", c.samples(),
                    result.gate().maxAccuracyDrop(), c.intervals() == null ? "" : String.format(" (the drop's 95%% "
                    + "interval is +-%.2f points)", c.intervals().dropHalfWidth()),
                    (int) Math.ceil(1000 / result.gate().maxAccuracyDrop()));
        }
        if (json) {
            Json.write(result.json(), out());
        } else {
            tables.run();
            if (result.gate() != null) {
                CompressionRenderer.renderGate(result.gate(), out());
            }
            if (result.speed() != null) {
                CompressionRenderer.renderSpeed(result.speed(), out());
            }
            CompressionRenderer.renderWritten(written, output, out());
        }
        out().flush();
        return result.passed() ? ExitCodes.OK : ExitCodes.ACCURACY_TARGET_MISSED;
    }

    /** Options that only one method reads; given to the other they would be silently ignored. */
    private static final List<String> DARB_ONLY = List.of("--pattern", "--dense", "--export-blocks", "--min-elements");
    private static final List<String> HAP_ONLY = List.of("--target-macs", "--ranking", "--max-layer-ratio",
            "--round-to", "--prune-hidden", "--implant-ratio", "--implant", "--no-implant-fit", "--implant-node",
            "--implant-budget", "--plot", "--search", "--search-rounds", "--synthetic", "--min-speedup",
            "--target-latency");

    private void refuseOptionsOfTheOtherMethod() {
        var parsed = spec.commandLine().getParseResult();
        boolean darb = method == Method.DARB;
        List<String> foreign = (darb ? HAP_ONLY : DARB_ONLY).stream().filter(parsed::hasMatchedOption).toList();
        if (!foreign.isEmpty()) {
            throw OnnxHapException.usage(String.join(", ", foreign) + (foreign.size() == 1 ? " belongs" : " belong")
                    + " to --method " + (darb ? "hap" : "darb") + ", not " + (darb ? "darb" : "hap"));
        }
        if (darb && parsed.hasMatchedOption("--probes") && probes == 0) {
            throw OnnxHapException.usage("--probes auto belongs to --method hap; give darb a probe count");
        }
    }
}
