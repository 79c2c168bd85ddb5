package ai.onnxhap.compress;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.plan.sparse.DarbPlan;
import ai.onnxhap.plan.sparse.DarbPlanner;
import ai.onnxhap.plan.sparse.IndexBits;
import ai.onnxhap.plan.sparse.MatrixLayout;
import ai.onnxhap.plan.sparse.MatrixView;
import ai.onnxhap.rewrite.SparseWeights;
import ai.onnxhap.score.HutchinsonTrace;
import ai.onnxhap.tf.train.Retraining;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DARB end to end: lay out the kept weights of every eligible matrix ({@link DarbPlanner}), zero the rest,
 * retrain with the masks fixed (in stages of growing ratio when asked), validate against the original through
 * the {@link AccuracyGate}, and store the pruned weights as sparse initializers unless dense output is asked.
 */
public final class DarbCompression {
    /** metadata_props key of the provenance record, the same for every method. */
    public static final String METADATA_KEY = ai.onnxhap.provenance.Provenance.KEY;

    private DarbCompression() {
    }

    /**
     * @param plan the final stage's layouts (for --export-blocks)
     * @param gate null when no validation data was given
     */
    public record Result(OnnxModel model, DarbReport report, DarbPlan plan, AccuracyGate.Outcome gate)
            implements JobResult {
    }

    /**
     * @param input the model to compress (sparse initializers are read as dense weights)
     * @param gate  retraining and validation settings (as for HAP), or null to prune only
     */
    public static Result run(OnnxModel input, DarbOptions options, AccuracyGate.Settings gate,
                             CompressionJob.Progress progress) {
        CompressOptions.Runtime runtime = gate == null ? CompressOptions.Runtime.defaults()
                : new CompressOptions.Runtime(gate.ort(), gate.device());
        return run(new DarbRequest(input, "", options, gate, runtime), progress);
    }

    /** Runs a request: mask (in stages, retraining between them), retrain with the masks fixed, gate, store. */
    public static Result run(DarbRequest request, CompressionJob.Progress progress) {
        OnnxModel input = request.model();
        DarbOptions options = request.options();
        AccuracyGate.Settings gate = request.gate();
        CompressOptions.Runtime runtime = request.runtime();
        ai.onnxhap.provenance.Provenance record = Records.start("darb", input, request.inputSha256(), Map.of(), options.seed(), runtime);
        boolean retrained = false;
        // A model already stored sparse (an earlier DARB output) is pruned further from its dense form.
        OnnxModel original = ai.onnxhap.model.SparseTensorCodec.densified(input);
        OnnxModel current = original;
        DarbPlan plan = null;
        Map<String, Tensor> masks = Map.of();
        AccuracyGate.Outcome outcome = null;
        for (int stage = 1; stage <= options.steps(); stage++) {
            double ratio = Math.pow(options.ratio(), stage / (double) options.steps());
            Map<String, float[]> saliency = options.criterion().equals("hessian")
                    ? hessianSaliency(current, options, progress, runtime) : Map.of();
            plan = DarbPlanner.plan(Graph.of(current), ratio, options.pattern(), saliency, options.minElements(),
                    options.excludedNodes());
            record = record.withStage(Records.darb(options, ratio, plan));
            masks = SparseWeights.masks(plan);
            OnnxModel pruned = SparseWeights.applyMasks(current, masks);
            boolean last = stage == options.steps();
            if (last && gate != null) {
                outcome = AccuracyGate.run(original, pruned, gate, masks, progress);
                current = outcome.model();
            } else if (!last && gate != null && gate.train() != null && gate.training().epochs() > 0) {
                current = Retraining.run(pruned, original, gate.train(), gate.validation(), gate.training(), masks,
                        progress, gate.ort(), gate.device()).model();
                retrained = true;
            } else {
                current = pruned;
            }
        }
        boolean trained = retrained || gate != null && gate.train() != null && gate.training().epochs() > 0;
        OnnxModel out = record.withTraining(trained ? Records.training(gate.training()) : null, Records.data(
                options.calibration() == null ? null : options.calibration().data(),
                trained ? gate.train() : null, gate == null ? null : gate.validation())).stamp(current);
        List<SparseWeights.Stored> stored = List.of();
        if (!options.dense()) {
            SparseWeights.Result sparse = SparseWeights.storeSparse(out, masks);
            out = sparse.model();
            stored = sparse.tensors();
        }
        return new Result(out, report(original, out, options, plan, stored), plan, outcome);
    }

    static DarbReport report(OnnxModel original, OnnxModel compressed, DarbOptions options, DarbPlan plan,
                             List<SparseWeights.Stored> stored) {
        Graph before = Graph.of(original);
        List<DarbReport.Matrix> rows = new ArrayList<>();
        double bits = 0;
        double csr = 0;
        double fixed = 0;
        for (MatrixLayout l : plan.layouts()) {
            MatrixView m = l.matrix();
            float[] w = m.gather(before.initializer(m.tensor()).floats());
            long nonZero = 0;
            for (float v : w) {
                nonZero += v != 0 ? 1 : 0;
            }
            long kept = l.keptCount();
            long target = DarbPlanner.target(m, plan.targetRatio());
            var row = new DarbReport.Matrix(m.tensor(), m.part(), m.node(), m.opType(), m.rows(), m.cols(),
                    nonZero / (double) m.elements(), kept / (double) m.elements(), l.ratio(), l.blockSizeHistogram(),
                    IndexBits.of(l), IndexBits.csr(m.rows(), m.cols(), kept),
                    IndexBits.fixedBlock(m.rows(), m.cols(), target));
            rows.add(row);
            bits += row.indexBits() * kept;
            csr += row.csrBits() * kept;
            fixed += row.fixedBlockBits() * kept;
        }
        long kept = plan.keptCount();
        int sparseTensors = (int) stored.stream().filter(SparseWeights.Stored::sparse).count();
        var totals = new DarbReport.Totals(plan.elements(), kept, plan.achievedRatio(), bits / kept, csr / kept,
                fixed / kept, original.inlinedSizeEstimate(), compressed.inlinedSizeEstimate(), sparseTensors);
        return new DarbReport(options.pattern().label(), options.criterion(), options.ratio(), options.steps(),
                options.dense(), rows, plan.skipped(), totals);
    }

    /**
     * Re-runs a recorded DARB compression from its provenance record alone, on the same data (checked by
     * fingerprint) with the recorded training settings: the same bytes as the run that wrote it.
     */
    public static Result replay(OnnxModel input, String sha, ai.onnxhap.provenance.Provenance record, DataSet calibration,
                                DataSet train, DataSet validation) {
        if (!record.method().equals("darb") || !record.input().sha256().equals(sha)) {
            throw ai.onnxhap.model.OnnxHapException.usage("the record is not a DARB compression of this model");
        }
        var given = Records.data(calibration, train, validation);
        record.data().forEach((role, print) -> {
            if (!print.equals(given.get(role))) {
                throw ai.onnxhap.model.OnnxHapException.usage("the " + role + " data differs from the recorded one");
            }
        });
        var runtime = Records.runtime(record.runtime());
        var training = record.training() == null ? ai.onnxhap.tf.train.TrainConfig.defaults().withEpochs(0)
                : Records.training(record.training());
        var gate = validation == null ? null : new AccuracyGate.Settings(train, validation, training, null,
                runtime.ort(), runtime.device());
        return run(new DarbRequest(input, sha, Records.darbOptions(record, calibration), gate, runtime),
                CompressionJob.Progress.SILENT);
    }

    /** Per eligible weight, |diag(H)|·w² from Hutchinson probes on the calibration data. */
    private static Map<String, float[]> hessianSaliency(OnnxModel model, DarbOptions options,
                                                        HutchinsonTrace.ProbeListener progress,
                                                        CompressOptions.Runtime runtime) {
        DarbOptions.Calibration c = options.calibration();
        DataSet data = ModelInputs.bind(c.data(), model);
        data = data.slice(0, Math.min(c.samples(), data.size()));
        if (data.size() == 0) {
            throw ai.onnxhap.model.OnnxHapException.usage("the calibration data set is empty");
        }
        Graph graph = Graph.of(model);
        List<String> weights = ai.onnxhap.plan.sparse.EligibleMatrices.find(graph, options.minElements(),
                options.excludedNodes()).matrices().stream().map(m -> m.tensor()).distinct().toList();
        Map<String, float[]> out = new LinkedHashMap<>();
        HessianScoring.diagonal(model, data, weights, c.probes(), c.batchSize(), options.seed(), progress, runtime)
                .values()
                .forEach((name, d) -> {
                    float[] w = graph.initializer(name).floats();
                    float[] s = new float[w.length];
                    for (int i = 0; i < w.length; i++) {
                        s[i] = (float) (Math.abs(d[i]) * w[i] * w[i]);
                    }
                    out.put(name, s);
                });
        return out;
    }
}
