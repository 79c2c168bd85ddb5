package ai.onnxhap.compress;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.graph.ShapeOracle;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.provenance.Provenance;
import ai.onnxhap.score.Importance;
import ai.onnxhap.score.HutchinsonTrace;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.ProgressListener;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole compress job: prune (in one step, or in several with retraining between them), then retrain and
 * check the accuracy target. What the CLI's compress command runs.
 */
public final class CompressionJob {
    private CompressionJob() {
    }

    /**
     * @param calibration      data for Hessian scoring (may be null)
     * @param train            retraining data (null: none)
     * @param validation       data the result is compared on (null: no validation, no gate)
     * @param validationSource which option the validation rows came from, for the report
     * @param overlap          validation rows that are also training rows (the gate then measures training accuracy)
     */
    public record Data(DataSet calibration, DataSet train, DataSet validation, String validationSource,
                       int overlap) {
        /**
         * Missing training and validation sets come from an 80/20 split of the calibration data, seeded. With
         * training data and no validation set, the gate reads the calibration data, unless some of its rows are
         * training rows (a calibration set cut from the training set): then 20% of the training data, held out
         * from retraining, validates instead.
         */
        public static Data of(DataSet data, DataSet train, DataSet validation, long seed) {
            if (data == null || train != null && validation != null) {
                return counted(data, train, validation, validation == null ? null : "--val-data");
            }
            if (train == null && validation == null) {
                if (data.size() < 2) {
                    DataSet all = data.shuffled(seed);
                    return counted(data, all, all, "--data");
                }
                DataSet[] parts = eightyTwenty(data.shuffled(seed));
                return counted(data, parts[0], parts[1], "the other 20% of --data");
            }
            if (train == null) {
                return counted(data, data.shuffled(seed), validation, "--val-data");
            }
            int overlap = ai.onnxhap.data.Overlap.count(data, train);
            if (overlap > 0 && train.size() > 1) {
                DataSet[] parts = eightyTwenty(train.shuffled(seed));
                return counted(data, parts[0], parts[1], "20% of --train-data held out from retraining (--data "
                        + "overlaps it)");
            }
            return new Data(data, train, data.shuffled(seed), "--data", overlap);
        }

        /** The sets with the number of validation rows that are also training rows. */
        private static Data counted(DataSet data, DataSet train, DataSet validation, String source) {
            int overlap = train == null || validation == null ? 0 : ai.onnxhap.data.Overlap.count(validation, train);
            return new Data(data, train, validation, source, overlap);
        }

        /** The first 80% (at least one row) and the rest (at least one row) of a shuffled set of two or more. */
        private static DataSet[] eightyTwenty(DataSet shuffled) {
            int cut = Math.min(shuffled.size() - 1, Math.max(1, (int) Math.round(0.8 * shuffled.size())));
            return new DataSet[] {shuffled.slice(0, cut), shuffled.slice(cut, shuffled.size())};
        }
    }

    /** Live progress of the long parts: Hessian probes and training epochs. */
    public interface Progress extends ProgressListener, HutchinsonTrace.ProbeListener {
        /** Tells nobody. */
        Progress SILENT = new Progress() {
            @Override
            public void probeDone(int done, int total) {
            }
        };
    }

    /**
     * @param gate    null when there was no validation data (or a dry run)
     * @param speed   null for a dry run
     * @param latency how a --target-latency became a parameter ratio; null without one
     * @param widths  how --round-to auto chose its width; null when a width was given
     */
    public record Outcome(OnnxModel model, CompressionReport report, AccuracyGate.Outcome gate, int steps,
                          SpeedGate speed, LatencyFit latency, KernelWidths widths) implements JobResult {
        public Outcome(OnnxModel model, CompressionReport report, AccuracyGate.Outcome gate, int steps,
                       SpeedGate speed) {
            this(model, report, gate, steps, speed, null, null);
        }

        /** The share of what remained that each stage removed (the report's ratio is the one planned, measured). */
        public double stageRatio() {
            return HapRequest.stageRatio(report.ratio(), steps);
        }

        /** As every job's, with how a latency target was met after the rest. */
        @Override
        public Object json() {
            @SuppressWarnings("unchecked")
            Map<String, Object> all = new LinkedHashMap<>((Map<String, Object>) JobResult.super.json());
            if (widths != null) {
                all.put("widths", widths);
            }
            if (latency != null) {
                all.put("latencyTarget", latency);
            }
            return all;
        }
    }

    /** Runs a request: prune (in stages, retraining between them), retrain, gate. */
    public static Outcome run(HapRequest r, ShapeOracle shapes, Progress progress) {
        Measured m = measure(r, shapes, progress);
        Outcome o = run(m.request(), shapes, progress, m.scores());
        return new Outcome(o.model(), o.report(), o.gate(), o.steps(), o.speed(), m.latency(), m.widths());
    }

    /**
     * A request whose measured settings are settled: --round-to auto becomes the width the runtime's kernels
     * prefer, a latency target becomes the parameter ratio that meets it; the original's scores, when these needed
     * them, come along so that scoring runs once.
     */
    private record Measured(HapRequest request, Importance scores, KernelWidths widths, LatencyFit latency) {
    }

    private static Measured measure(HapRequest r, ShapeOracle shapes, Progress progress) {
        PlanOptions plan = r.options().plan();
        boolean autoWidth = plan.roundTo() == PlanOptions.AUTO_ROUND;
        if (!autoWidth && plan.budget() != PlanOptions.Budget.LATENCY) {
            return new Measured(r, null, null, null);
        }
        Compressor compressor = new Compressor(shapes, progress);
        CompressOptions options = r.options();
        Importance scores = compressor.score(r.model(), options);
        KernelWidths widths = null;
        if (autoWidth) {
            // a latency target is planned as the same share of parameters while the width is chosen
            CompressOptions asParams = plan.budget() == PlanOptions.Budget.LATENCY
                    ? options.withPlan(plan.withParamsRatio(plan.ratio())) : options;
            widths = KernelWidths.choose(r, asParams, compressor, scores);
            options = options.withPlan(plan.withRoundTo(widths.width()));
        }
        LatencyFit latency = null;
        if (plan.budget() == PlanOptions.Budget.LATENCY) {
            latency = LatencyFit.find(r.withOptions(options), compressor, scores);
            options = options.withPlan(options.plan().withParamsRatio(latency.ratio()));
        }
        return new Measured(r.withOptions(options), scores, widths, latency);
    }

    /** @param scored the original's importance when already computed (the latency fit scores once), else null */
    private static Outcome run(HapRequest r, ShapeOracle shapes, Progress progress, Importance scored) {
        CompressOptions.Runtime rt = r.options().runtime();
        int stages = r.dryRun() ? 1 : r.steps();
        List<CompressOptions> perStage = new ArrayList<>();
        for (int stage = 1; stage <= stages; stage++) {
            perStage.add(stages == 1 ? r.options() : r.options().withRatio(r.stageRatio()));
        }
        return runStages(r.model(), r.inputSha256(), perStage, r.options().plan().ratio(), r.data(), r.training(),
                r.maxAccuracyDrop(), r.minSpeedup(), rt.ort(), rt.device(), r.dryRun(), shapes, progress, scored);
    }

    /**
     * The search a request asks for (its searchRounds): the largest ratio (to 1/2^rounds precision, up to the
     * request's ratio) whose retrained model still meets its maxAccuracyDrop. Bisection, scoring the original
     * once and reusing its scores for every trial.
     */
    public static SearchOutcome search(HapRequest r, ShapeOracle shapes, Progress progress) {
        if (r.searchRounds() == null) {
            throw new IllegalArgumentException("the request asks for no search");
        }
        Measured measured = measure(r, shapes, progress);
        r = measured.request();
        CompressOptions options = r.options();
        Data data = r.data();
        var settings = new AccuracyGate.Settings(data.train(), data.validation(), r.training(), r.maxAccuracyDrop(),
                options.runtime().ort(), options.runtime().device(), AccuracyGate.ValidationSet.of(data));
        Compressor compressor = new Compressor(shapes, progress);
        var scores = measured.scores() != null ? measured.scores()
                : compressor.score(r.model(), options);
        double lo = 0;
        double hi = options.plan().ratio();
        Outcome best = null;
        List<Trial> trials = new ArrayList<>();
        for (int round = 0; round < r.searchRounds(); round++) {
            double ratio = round == 0 ? hi : (lo + hi) / 2;
            var result = compressor.compress(r.model(), r.inputSha256(), options.withRatio(ratio), false, scores);
            var gate = AccuracyGate.run(r.model(), result.model(), settings, progress);
            trials.add(new Trial(ratio, result.report().paramsAfter(), gate.drop(), gate.passed()));
            if (gate.passed()) {
                boolean trained = data.train() != null && r.training().epochs() > 0;
                best = new Outcome(stamp(gate.model(), Provenance.read(result.model()).orElseThrow(),
                        trained ? r.training() : null, data), result.report(), gate, 1, null);
                lo = ratio;
                if (round == 0) {
                    break; // the largest ratio asked for already passes
                }
            } else {
                hi = ratio;
            }
        }
        return new SearchOutcome(best, trials);
    }

    /**
     * Re-runs a recorded HAP compression from its provenance record alone: the same stages with the same settings,
     * on the same data (checked by fingerprint), the same runtime. Gives the same bytes as the run that wrote it.
     */
    public static Outcome replay(OnnxModel original, String sha, Provenance record, Data data, ShapeOracle shapes,
                                 Progress progress) {
        if (!record.method().equals("hap")) {
            throw OnnxHapException.usage("replay of a '" + record.method() + "' record: use DarbCompression.replay");
        }
        requireSame("the model", record.input().sha256(), sha);
        Map<String, String> fingerprints = Records.data(data.calibration(), data.train(), data.validation());
        record.data().forEach((role, print) -> requireSame("the " + role + " data", print, fingerprints.get(role)));
        List<CompressOptions> perStage = record.stages().stream()
                .map(s -> Records.options(s.hap(), record, data.calibration())).toList();
        double overall = 1 - perStage.stream().mapToDouble(o -> 1 - o.plan().ratio()).reduce(1, (a, b) -> a * b);
        TrainConfig training = record.training() == null ? TrainConfig.defaults().withEpochs(0)
                : Records.training(record.training());
        CompressOptions.Runtime runtime = perStage.get(0).runtime();
        return runStages(original, sha, perStage, perStage.size() == 1 ? perStage.get(0).plan().ratio() : overall,
                data, training, null, 0.0, runtime.ort(), runtime.device(), false, shapes, progress, null);
    }

    private static void requireSame(String what, String recorded, String given) {
        if (!java.util.Objects.equals(recorded, given)) {
            throw OnnxHapException.usage(what + " differs from the recorded one (recorded " + recorded + ", given "
                    + given + "); a replay needs the same inputs");
        }
    }

    private static Outcome runStages(OnnxModel original, String sha, List<CompressOptions> perStage, double ratio,
                                     Data data, TrainConfig training, Double maxAccuracyDrop, Double minSpeedup,
                                     OrtModel.Options ort, TfModel.Device device, boolean dryRun, ShapeOracle shapes,
                                     Progress progress, Importance firstStageScores) {
        Compressor compressor = new Compressor(shapes, progress);
        OnnxModel current = original;
        List<CompressionReport> reports = new ArrayList<>();
        Provenance record = null;
        boolean retrained = false;
        for (int stage = 1; stage <= perStage.size(); stage++) {
            Compressor.Result result = compressor.compress(current, sha, perStage.get(stage - 1), dryRun,
                    stage == 1 ? firstStageScores : null);
            reports.add(result.report());
            current = result.model();
            Provenance stageRecord = Provenance.read(current).orElseThrow(); // this stage only (Compressor)
            record = record == null ? stageRecord : record.withStage(stageRecord.stages().get(0));
            if (stage < perStage.size() && data.train() != null && training.epochs() > 0) {
                current = AccuracyGate.run(original, current, new AccuracyGate.Settings(data.train(), data.validation(),
                        training, null, ort, device), progress).model();
                retrained = true;
            }
        }
        CompressionReport report = overall(reports, ratio);
        // Retraining changes weights, not shapes: the speed is measured once, on the pruned graph.
        SpeedGate speed = dryRun ? null : SpeedGate.run(original, current, perStage.get(0).inputShapes(), ort,
                minSpeedup);
        if (dryRun || data.validation() == null) {
            return new Outcome(stamp(current, record, retrained ? training : null, data), report, null, perStage.size(),
                    speed);
        }
        AccuracyGate.Outcome gate = AccuracyGate.run(original, current, new AccuracyGate.Settings(data.train(),
                data.validation(), training, maxAccuracyDrop, ort, device, AccuracyGate.ValidationSet.of(data)),
                progress);
        boolean trainedAtEnd = data.train() != null && training.epochs() > 0;
        return new Outcome(stamp(gate.model(), record, retrained || trainedAtEnd ? training : null, data), report, gate,
                perStage.size(), speed);
    }

    /** The whole run's record: every stage, the training settings when anything was retrained, all data used. */
    private static OnnxModel stamp(OnnxModel model, Provenance stages, TrainConfig training, Data data) {
        return stages.withTraining(training == null ? null : Records.training(training),
                Records.data(data.calibration(), training == null ? null : data.train(), data.validation()))
                .stamp(model);
    }

    /** One tried ratio of a search and whether it met the target. */
    public record Trial(double ratio, long paramsAfter, Double drop, boolean passed) {
    }

    /** @param trials every ratio tried, in order; best is the largest that passed (null when none did) */
    public record SearchOutcome(Outcome best, List<Trial> trials) {
    }

    /** The last stage's report, with "before" figures taken from the original model (the first stage). */
    static CompressionReport overall(List<CompressionReport> reports, double ratio) {
        CompressionReport first = reports.get(0);
        CompressionReport last = reports.get(reports.size() - 1);
        if (reports.size() == 1) {
            return first;
        }
        Map<String, LayerChange> before = new LinkedHashMap<>();
        first.layers().forEach(l -> before.put(l.group(), l));
        List<LayerChange> layers = last.layers().stream().map(l -> {
            LayerChange b = before.getOrDefault(l.group(), l);
            return new LayerChange(l.group(), l.kind(), l.rootNode(), b.unitsBefore(), l.unitsAfter(), l.implantedUnits(), b.paramsBefore(),
                    l.paramsAfter(), b.macsBefore(), l.macsAfter(), l.status(), l.reason(), l.meanScore());
        }).toList();
        var p = last.plan();
        long planned = reports.stream().mapToLong(r -> r.plan().plannedParams()).sum();
        var plan = new ai.onnxhap.plan.PruningPlan(p.criterion(), ratio, p.decisions(), first.plan().prunableParams(),
                Math.round(ratio * first.plan().prunableParams()), planned, p.budget());
        return new CompressionReport(last.tool(), first.inputModel(), first.inputSha256(), last.criterion(), ratio,
                last.seed(), last.inputShapes(), plan, layers, last.implants(), first.paramsBefore(),
                last.paramsAfter(), first.macsBefore(), last.macsAfter(), last.dryRun(), last.scoring());
    }
}
