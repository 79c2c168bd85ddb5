package ai.onnxhap.cli;

import ai.onnxhap.compress.CompressOptions;
import ai.onnxhap.compress.CompressionJob;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.report.CompressionRenderer;
import ai.onnxhap.rewrite.ChannelImplant;
import ai.onnxhap.tf.train.Retraining;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtShapeOracle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
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

    @Option(names = "--method", defaultValue = "hap", paramLabel = "hap|darb",
            description = "hap: structured pruning of channels, heads and neurons with implants; darb: density-adaptive "
                    + "regular-block sparsity in large weight matrices, stored sparse (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--ratio", paramLabel = "R",
            description = "hap: fraction of prunable parameters to remove, in [0, 1) (default 0.5); darb: 16x (keep "
                    + "1/16 of each matrix) or 0.94 (remove 94%%) (default 16x).")
    String ratioText;

    /** --ratio as a fraction for hap. */
    private double ratio;

    @Option(names = "--target-macs", paramLabel = "R",
            description = "Remove this fraction of the prunable MACs instead of a parameter --ratio.")
    Double targetMacs;

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

    @Option(names = "--probes", defaultValue = "16", paramLabel = "N|auto",
            description = "Hutchinson probes for the hessian criterion; auto draws until the least sensitive 30%% of "
                    + "structures stop changing (8 to 128 probes) (default: ${DEFAULT-VALUE}).")
    String probes;

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

    @Option(names = "--round-to", defaultValue = "8", paramLabel = "N",
            description = "Keep channel/neuron counts multiples of N, which vectorised kernels run fastest "
                    + "(default: ${DEFAULT-VALUE}; 1 = no rounding).")
    int roundTo;

    @Option(names = "--prune-hidden", description = "Also cut the residual-stream (hidden) width of transformers. "
            + "Its removal changes every LayerNorm's statistics, so it is off by default.")
    boolean pruneHidden;

    @Option(names = "--exclude", split = ",", paramLabel = "NODE", description = "Node names to leave untouched.")
    List<String> exclude = List.of();

    @Option(names = "--implant-ratio", defaultValue = "0.1", paramLabel = "F",
            description = "Of the units the ranking would remove, the most sensitive share gets a neural implant "
                    + "instead (default: ${DEFAULT-VALUE}; 0 = none). Implants count in the budget.")
    double implantRatio;

    @Option(names = "--implant", defaultValue = "lowrank", paramLabel = "lowrank|pointwise",
            description = "Implant kind: a low-rank pair (k×k C_in→r Conv + 1×1 r→C, or MatMul in→r→out) or HAP's 1×1 "
                    + "Conv (default: ${DEFAULT-VALUE}). Each is fitted by least squares on the calibration data.")
    ChannelImplant.Style implantStyle;

    @Option(names = "--no-implant-fit", description = "Keep implants at their SVD / centre-tap start (no least squares).")
    boolean noImplantFit;

    @Option(names = "--implant-node", split = ",", paramLabel = "NODE[=RANK]",
            description = "Also replace these whole Conv/Gemm/MatMul nodes by a low-rank pair from the SVD of their weight.")
    List<String> implants = List.of();

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

    @Option(names = "--train-data", paramLabel = "FILE|DIR", description = "Retraining data (default: 80%% of --data, "
            + "split with --seed).")
    Path trainData;

    @Option(names = "--train-labels", paramLabel = "FILE.npy", description = "Labels for --train-data.")
    Path trainLabels;

    @Option(names = "--val-data", paramLabel = "FILE|DIR", description = "Validation data (default: the other 20%% of --data).")
    Path valData;

    @Option(names = "--val-labels", paramLabel = "FILE.npy", description = "Labels for --val-data.")
    Path valLabels;

    @Option(names = "--max-accuracy-drop", paramLabel = "POINTS",
            description = "Accuracy target: exit 1 and write nothing when the drop exceeds this (without labels: "
                    + "share of changed top-1 predictions).")
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

    @Override
    public Integer call() throws IOException {
        if (output == null && !dryRun) {
            throw OnnxHapException.usage("give an output path with -o, or --dry-run to only see the plan");
        }
        refuseOptionsOfTheOtherMethod();
        OnnxModel loaded = ModelIO.load(model);
        if (output != null) {
            ModelIO.checkOutput(loaded, output);
        }
        if (method.equals("darb")) {
            return darb(loaded);
        }
        if (!method.equals("hap")) {
            throw OnnxHapException.usage("--method must be hap or darb, got '" + method + "'");
        }
        criterion = criterion == null ? "hessian" : criterion;
        try {
            ratio = ratioText == null ? 0.5 : Double.parseDouble(ratioText);
        } catch (NumberFormatException e) {
            throw OnnxHapException.usage("--ratio for hap is a fraction in [0, 1), got '" + ratioText + "'");
        }
        Map<String, Integer> implantRanks = new LinkedHashMap<>();
        for (String spec : implants) {
            int eq = spec.lastIndexOf('=');
            try {
                implantRanks.put(eq < 0 ? spec : spec.substring(0, eq), eq < 0 ? 0 : Integer.parseInt(spec.substring(eq + 1)));
            } catch (NumberFormatException e) {
                throw OnnxHapException.usage("--implant-node expects NODE or NODE=RANK, got '" + spec + "'");
            }
        }
        int probeCount = probeCount();
        var calibration = new CompressOptions.Calibration(data.load(loaded), synthetic, hessianSamples, probeCount, 64);
        PlanOptions plan = targetMacs == null
                ? new PlanOptions(ratio, maxLayerRatio, Set.copyOf(exclude), roundTo)
                : new PlanOptions(targetMacs, maxLayerRatio, Set.copyOf(exclude), roundTo, PlanOptions.Budget.MACS);
        plan = plan.withRanking(ranking).withPruneHidden(pruneHidden);
        ChannelImplant.Style style = implantStyle;
        var options = new CompressOptions(plan, criterion, seed, implantRanks, implantBudget,
                shapeOptions.resolve(loaded, 1, calibration.data()), calibration,
                new CompressOptions.Implanting(implantRatio, style, !noImplantFit))
                .withRuntime(new CompressOptions.Runtime(runtime.ortOptions(), runtime.tfDevice()));
        java.io.PrintStream progressOut = progressOut();
        DataSet train = data.loadOther(loaded, trainData, trainLabels, "--train-data/--train-labels");
        DataSet val = data.loadOther(loaded, valData, valLabels, "--val-data/--val-labels");
        var jobData = CompressionJob.Data.of(calibration.data(), train, val, seed);
        var request = new ai.onnxhap.compress.HapRequest(loaded, ai.onnxhap.compress.HapRequest.hash(loaded), options,
                steps, jobData, training(), maxAccuracyDrop, dryRun, search ? searchRounds : null);
        if (search) {
            return search(request, progressOut);
        }
        CompressionJob.Outcome job = CompressionJob.run(request, OrtShapeOracle.INSTANCE,
                new ai.onnxhap.report.ConsoleProgress(progressOut));
        if (jobData.validation() == null && !dryRun) {
            spec.commandLine().getErr().println("onnx-hap: no data given: pruned without retraining or validation");
        }
        if (report != null) {
            ai.onnxhap.model.AtomicFiles.writeString(report, Json.string(job.report()));
        }
        if (plot != null) {
            ai.onnxhap.report.SensitivityPlot.write(job.report(), plot);
        }
        if (!dryRun && (job.passed() || keepFailed)) {
            ModelIO.save(job.model(), output);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.write(job.gate() == null ? job.report() : withValidation(job.report(), job.gate()), out);
        } else {
            CompressionRenderer.render(job.report(), out);
            if (job.steps() > 1) {
                out.printf("Stages      %d, each removing %.1f%% of what remained%n", job.steps(),
                        100 * request.stageRatio());
            }
            if (job.gate() != null) {
                CompressionRenderer.renderGate(job.gate(), out);
            }
            if (!dryRun) {
                out.println(job.passed() || keepFailed ? "Wrote " + output : "Nothing written: the accuracy target is "
                        + "missed (--keep-failed writes it anyway)");
            }
        }
        return job.passed() ? ExitCodes.OK : ExitCodes.ACCURACY_TARGET_MISSED;
    }

    /** Retraining after surgery or masking: Adam with a cosine schedule, the same for both methods. */
    private TrainConfig training() {
        return trainingOptions.config(epochs, seed);
    }

    /** Progress bars go to stderr, or nowhere when stdout carries JSON for a machine. */
    private java.io.PrintStream progressOut() {
        return ProgressStream.of(spec.commandLine().getErr(), json);
    }

    /** Options that only one method reads; given to the other they would be silently ignored. */
    private static final List<String> DARB_ONLY = List.of("--pattern", "--dense", "--export-blocks", "--min-elements");
    private static final List<String> HAP_ONLY = List.of("--target-macs", "--ranking", "--max-layer-ratio",
            "--round-to", "--prune-hidden", "--implant-ratio", "--implant", "--no-implant-fit", "--implant-node",
            "--implant-budget", "--plot", "--search", "--search-rounds", "--synthetic");

    private void refuseOptionsOfTheOtherMethod() {
        var parsed = spec.commandLine().getParseResult();
        boolean darb = method.equals("darb");
        List<String> foreign = (darb ? HAP_ONLY : DARB_ONLY).stream().filter(parsed::hasMatchedOption).toList();
        if (!foreign.isEmpty()) {
            throw OnnxHapException.usage(String.join(", ", foreign) + (foreign.size() == 1 ? " belongs" : " belong")
                    + " to --method " + (darb ? "hap" : "darb") + ", not " + method);
        }
        if (darb && probes.equals("auto")) {
            throw OnnxHapException.usage("--probes auto belongs to --method hap; give darb a probe count");
        }
    }

    /** --probes as a count; 0 for auto (adaptive). */
    private int probeCount() {
        int n;
        try {
            n = probes.equals("auto") ? 0 : Integer.parseInt(probes);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || (n == 0 && !probes.equals("auto")) || hessianSamples < 1) {
            throw OnnxHapException.usage("--probes must be auto or at least 1, and --hessian-samples at least 1");
        }
        return n;
    }

    /** DARB: block-sparse masks on the large matrices, masked retraining, the same gate, sparse storage. */
    private int darb(OnnxModel loaded) throws IOException {
        String darbCriterion = criterion == null ? "magnitude" : criterion.equals("l1") ? "magnitude" : criterion;
        double keep = ai.onnxhap.plan.sparse.DarbRatio.parse(ratioText == null ? "16x" : ratioText);
        var sparsity = pattern;
        DataSet calibrationData = data.load(loaded);
        int probeCount = probeCount() == 0 ? 16 : probeCount();
        var options = new ai.onnxhap.compress.DarbOptions(keep, sparsity, darbCriterion, steps, minElements,
                Set.copyOf(exclude), dense, calibrationData == null ? null
                : new ai.onnxhap.compress.DarbOptions.Calibration(calibrationData, hessianSamples, probeCount, 64), seed);
        DataSet train = data.loadOther(loaded, trainData, trainLabels, "--train-data/--train-labels");
        DataSet val = data.loadOther(loaded, valData, valLabels, "--val-data/--val-labels");
        var jobData = CompressionJob.Data.of(calibrationData, train, val, seed);
        if (maxAccuracyDrop != null && jobData.validation() == null) {
            throw OnnxHapException.usage("--max-accuracy-drop needs data to measure accuracy on (--data or --val-data)");
        }
        TrainConfig training = training();
        var gate = dryRun || jobData.validation() == null ? null : new ai.onnxhap.compress.AccuracyGate.Settings(
                jobData.train(), jobData.validation(), training, maxAccuracyDrop, runtime.ortOptions(), runtime.tfDevice());
        java.io.PrintStream progressOut = progressOut();
        var result = ai.onnxhap.compress.DarbCompression.run(loaded, ai.onnxhap.compress.HapRequest.hash(loaded), options, gate,
                new ai.onnxhap.report.ConsoleProgress(progressOut));
        if (gate == null && !dryRun) {
            spec.commandLine().getErr().println("onnx-hap: no data given: masked without retraining or validation");
        }
        boolean write = !dryRun && (result.passed() || keepFailed);
        if (report != null) {
            ai.onnxhap.model.AtomicFiles.writeString(report, Json.string(result.report()));
        }
        if (exportBlocks != null) {
            ai.onnxhap.report.DarbBlockExport.write(result.plan(), exportBlocks);
        }
        if (write) {
            ModelIO.save(result.model(), output);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.write(result.gate() == null ? result.report() : withValidation(result.report(), result.gate()), out);
        } else {
            ai.onnxhap.report.DarbRenderer.render(result.report(), out);
            if (result.gate() != null) {
                CompressionRenderer.renderGate(result.gate(), out);
            }
            if (!dryRun) {
                out.println(write ? "Wrote " + output : "Nothing written: the accuracy target is missed "
                        + "(--keep-failed writes it anyway)");
            }
        }
        out.flush();
        return result.passed() ? ExitCodes.OK : ExitCodes.ACCURACY_TARGET_MISSED;
    }

    private int search(ai.onnxhap.compress.HapRequest request, java.io.PrintStream progressOut) {
        var outcome = CompressionJob.search(request, OrtShapeOracle.INSTANCE,
                new ai.onnxhap.report.ConsoleProgress(progressOut));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.write(outcome, out);
        } else {
            for (var t : outcome.trials()) {
                out.printf("Tried ratio %.3f: %,d parameters left, drop %s -> %s%n", t.ratio(), t.paramsAfter(),
                        t.drop() == null ? "?" : String.format("%.2f points", t.drop()), t.passed() ? "passed" : "missed");
            }
            if (outcome.best() != null) {
                CompressionRenderer.render(outcome.best().report(), out);
                CompressionRenderer.renderGate(outcome.best().gate(), out);
            }
        }
        if (outcome.best() == null) {
            out.println("Nothing written: no ratio tried meets the accuracy target");
            out.flush();
            return ExitCodes.ACCURACY_TARGET_MISSED;
        }
        ModelIO.save(outcome.best().model(), output);
        if (!json) {
            out.println("Wrote " + output + " (ratio " + outcome.best().report().ratio() + ")");
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The JSON of a gated run: the report, then the validation, in that order every time. */
    private static Map<String, Object> withValidation(Object report, Object validation) {
        Map<String, Object> both = new java.util.LinkedHashMap<>();
        both.put("compression", report);
        both.put("validation", validation);
        return both;
    }
}
