package ai.onnxhap.compress;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.plan.PruningPlan;
import ai.onnxhap.plan.sparse.SparsityPattern;
import ai.onnxhap.provenance.Provenance;
import ai.onnxhap.provenance.ToolInfo;
import ai.onnxhap.rewrite.ChannelImplant;
import ai.onnxhap.score.Importance;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The translation between the jobs' typed settings and their provenance record, both ways: what a run writes,
 * a replay reads back into the same settings.
 */
final class Records {
    private Records() {
    }

    static Provenance start(String method, OnnxModel input, String sha, Map<String, long[]> shapes, long seed,
                            CompressOptions.Runtime runtime) {
        Map<String, Long> opsets = new TreeMap<>(input.opsets());
        Map<String, List<Long>> dims = new TreeMap<>();
        shapes.forEach((k, v) -> dims.put(k, java.util.Arrays.stream(v).boxed().toList()));
        return new Provenance(Provenance.VERSION, "onnx-hap " + ToolInfo.version(), method,
                new Provenance.Input(sha, input.proto().getIrVersion(), opsets, dims), seed, runtime(runtime), List.of(),
                null, Map.of());
    }

    static Provenance.Runtime runtime(CompressOptions.Runtime r) {
        return new Provenance.Runtime(r.ort().device().name().toLowerCase(Locale.ROOT) + "/tf-"
                + r.device().name().toLowerCase(Locale.ROOT), r.ort().intraOpThreads());
    }

    static CompressOptions.Runtime runtime(Provenance.Runtime r) {
        String[] parts = r.device().split("/tf-");
        return new CompressOptions.Runtime(OrtModel.Options.defaults().withThreads(r.threads())
                .withDevice(OrtModel.Device.parse(parts[0])), TfModel.Device.valueOf(parts[1].toUpperCase(Locale.ROOT)));
    }

    static Provenance.Stage hap(CompressOptions o, PruningPlan plan, Map<String, int[]> implanted, Importance importance) {
        PlanOptions p = o.plan();
        var c = o.calibration();
        Integer drawn = null;
        String route = null;
        if (importance instanceof ai.onnxhap.score.HessianImportance h && h.route().isPresent()) {
            drawn = h.probes();
            route = h.route().get().name().toLowerCase(Locale.ROOT);
        }
        var scoring = new Provenance.Scoring(c.probes() == 0 ? "auto" : String.valueOf(c.probes()), drawn, route,
                c.samples(), c.batchSize(), c.data() == null ? (c.synthetic() ? "synthetic" : null) : c.data().fingerprint());
        Map<String, int[]> removed = new LinkedHashMap<>();
        plan.decisions().stream().filter(d -> d.removedUnits().length > 0).forEach(d -> removed.put(d.group(),
                d.removedUnits()));
        var implanting = new Provenance.Implanting(o.implanting().ratio(),
                o.implanting().style().name().toLowerCase(Locale.ROOT), o.implanting().fit());
        return new Provenance.Stage(new Provenance.Hap(p.ratio(), p.budget().name().toLowerCase(Locale.ROOT),
                o.criterion(), p.ranking().name().toLowerCase(Locale.ROOT).replace('_', '-'), p.maxLayerRatio(),
                p.roundTo(), p.pruneHidden(), List.copyOf(p.exclude()), scoring, implanting, o.implants(),
                o.implantBudget(), removed, implanted), null);
    }

    /** The stage's settings as options again, on the calibration data a replay was given. */
    static CompressOptions options(Provenance.Hap h, Provenance p, DataSet calibration) {
        PlanOptions plan = new PlanOptions(h.ratio(), h.maxLayerRatio(), Set.copyOf(h.exclude()), h.roundTo(),
                PlanOptions.Budget.valueOf(h.budget().toUpperCase(Locale.ROOT)),
                PlanOptions.Ranking.valueOf(h.ranking().toUpperCase(Locale.ROOT).replace('-', '_')), h.pruneHidden());
        var s = h.scoring();
        boolean synthetic = "synthetic".equals(s.data());
        var cal = new CompressOptions.Calibration(synthetic || s.data() == null ? null : calibration, synthetic,
                s.samples(), s.probes().equals("auto") ? 0 : Integer.parseInt(s.probes()), s.batch());
        Map<String, long[]> shapes = new LinkedHashMap<>();
        p.input().shapes().forEach((k, v) -> shapes.put(k, v.stream().mapToLong(Long::longValue).toArray()));
        var implanting = new CompressOptions.Implanting(h.implanting().ratio(),
                ChannelImplant.Style.valueOf(h.implanting().style().toUpperCase(Locale.ROOT)), h.implanting().leastSquares());
        return new CompressOptions(plan, h.criterion(), p.seed(), h.implantNodes(), h.implantBudget(), shapes, cal,
                implanting, runtime(p.runtime()));
    }

    static Provenance.Stage darb(DarbOptions o, double stageRatio, ai.onnxhap.plan.sparse.DarbPlan plan) {
        var c = o.calibration();
        return new Provenance.Stage(null, new Provenance.Darb(stageRatio, plan.achievedRatio(), o.pattern().label(),
                o.criterion(), o.minElements(), List.copyOf(o.excludedNodes()), o.dense(),
                c == null ? null : c.probes(), c == null ? null : c.samples(),
                plan.layouts().stream().map(l -> l.matrix().label()).toList()));
    }

    /** DARB's options from its stages: the last stage's target is the run's, one stage per step. */
    static DarbOptions darbOptions(Provenance p, DataSet calibration) {
        Provenance.Darb first = p.stages().get(0).darb();
        Provenance.Darb last = p.stages().get(p.stages().size() - 1).darb();
        SparsityPattern pattern = SparsityPattern.valueOf(first.pattern().toUpperCase(Locale.ROOT).replace('-', '_'));
        return new DarbOptions(last.targetRatio(), pattern, first.criterion(), p.stages().size(), first.minElements(),
                Set.copyOf(first.excludedNodes()), first.dense(), calibration == null || first.probes() == null ? null
                : new DarbOptions.Calibration(calibration, first.samples(), first.probes(), 64), p.seed());
    }

    static Provenance.Training training(TrainConfig t) {
        return new Provenance.Training(t.epochs(), t.batchSize(), t.learningRate(),
                t.optimizer().name().toLowerCase(Locale.ROOT), t.momentum(), t.weightDecay(),
                t.schedule().name().toLowerCase(Locale.ROOT), t.stepEvery(), t.gamma(), t.temperature(), t.seed());
    }

    static TrainConfig training(Provenance.Training t) {
        return new TrainConfig(t.epochs(), t.batchSize(), t.learningRate(),
                TrainConfig.Optimizer.valueOf(t.optimizer().toUpperCase(Locale.ROOT)), t.momentum(), t.weightDecay(),
                TrainConfig.Schedule.valueOf(t.schedule().toUpperCase(Locale.ROOT)), t.stepEvery(), t.gamma(),
                t.temperature(), t.seed());
    }

    /** Fingerprints of the data a job used, by role. */
    static Map<String, String> data(DataSet calibration, DataSet train, DataSet validation) {
        Map<String, String> out = new TreeMap<>();
        if (calibration != null) {
            out.put("calibration", calibration.fingerprint());
        }
        if (train != null) {
            out.put("train", train.fingerprint());
        }
        if (validation != null) {
            out.put("validation", validation.fingerprint());
        }
        return out;
    }
}
