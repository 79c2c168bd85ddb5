package ai.onnxhap.provenance;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a compressed model was made, written into its metadata_props under {@value #KEY}: one schema for every
 * method, versioned, with everything a replay needs — the input's hash and kept conventions, each stage's settings
 * and decisions, the training settings, the runtime, and fingerprints of the data used.
 *
 * @param version  schema version ({@value #VERSION})
 * @param tool     "onnx-hap VERSION"
 * @param method   "hap" or "darb"
 * @param stages   in the order they ran; a multi-stage run has several, a replay runs them again
 * @param training null when nothing was retrained
 * @param data     fingerprints of the data sets used (see DataSet.fingerprint); entries absent when not used
 */
public record Provenance(int version, String tool, String method, Input input, long seed, Runtime runtime,
                         List<Stage> stages, Training training, Map<String, String> data) {
    public static final String KEY = "onnx-hap";
    public static final int VERSION = 1;

    public Provenance {
        stages = List.copyOf(stages);
        data = data == null ? Map.of() : new java.util.TreeMap<>(data);
    }

    /** The model as given: the file's hash, and the IR and opsets the output keeps. */
    public record Input(String sha256, long irVersion, Map<String, Long> opsets, Map<String, List<Long>> shapes) {
        public Input {
            opsets = new java.util.TreeMap<>(opsets);
            shapes = new java.util.TreeMap<>(shapes);
        }
    }

    /** Where the sessions ran: their settings can change the low bits of a result. */
    public record Runtime(String device, int threads) {
    }

    /** One stage: exactly one of hap and darb is set. */
    public record Stage(Hap hap, Darb darb) {
    }

    /**
     * Structured pruning with implants: every setting that decides the stage's result, then what it decided.
     *
     * @param scoring null for data-free criteria
     */
    public record Hap(double ratio, String budget, String criterion, String ranking, double maxLayerRatio,
                      int roundTo, boolean pruneHidden, List<String> exclude, Scoring scoring, Implanting implanting,
                      Map<String, Integer> implantNodes, double implantBudget, Map<String, int[]> removedUnits,
                      Map<String, int[]> implantedUnits) {
        public Hap {
            exclude = exclude.stream().sorted().toList();
            implantNodes = new java.util.TreeMap<>(implantNodes);
            removedUnits = new java.util.LinkedHashMap<>(removedUnits);
            implantedUnits = new java.util.LinkedHashMap<>(implantedUnits);
        }
    }

    /**
     * Hessian scoring: the requested probes ("auto" or a count), how many were drawn, the route taken (exact
     * Hessian-vector products or central differences), and the data's fingerprint or "synthetic".
     */
    public record Scoring(String probes, Integer probesDrawn, String route, int samples, int batch, String data) {
    }

    public record Implanting(double ratio, String style, boolean leastSquares) {
    }

    /** DARB: the stage's target (kept one in N), what it reached, and the matrices it masked. */
    public record Darb(double targetRatio, double achievedRatio, String pattern, String criterion, int minElements,
                       List<String> excludedNodes, boolean dense, Integer probes, Integer samples,
                       List<String> matrices) {
        public Darb {
            excludedNodes = excludedNodes.stream().sorted().toList();
            matrices = List.copyOf(matrices);
        }
    }

    /** The retraining settings (TrainConfig's fields by name), applied between stages and after the last. */
    public record Training(int epochs, int batchSize, double learningRate, String optimizer, double momentum,
                           double weightDecay, String schedule, int stepEvery, double gamma, double temperature,
                           long seed) {
    }

    /** The same record with one more stage. */
    public Provenance withStage(Stage stage) {
        List<Stage> all = new ArrayList<>(stages);
        all.add(stage);
        return new Provenance(version, tool, method, input, seed, runtime, all, training, data);
    }

    public Provenance withTraining(Training t, Map<String, String> dataUsed) {
        return new Provenance(version, tool, method, input, seed, runtime, stages, t, dataUsed);
    }

    /** The model with this record in its metadata (replacing an earlier one). */
    public OnnxModel stamp(OnnxModel model) {
        return model.withMetadata(KEY, Json.string(this));
    }

    /**
     * The record a model carries; empty when it has none. A record that is there but cannot be read (corrupt,
     * or written by a newer schema) is an error, never an empty result.
     */
    public static Optional<Provenance> read(OnnxModel model) {
        var entry = model.proto().getMetadataPropsList().stream().filter(p -> p.getKey().equals(KEY)).findFirst();
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        try {
            var tree = Json.mapper().readTree(entry.get().getValue());
            int version = tree.path("version").asInt(0);
            if (version != VERSION) {
                throw OnnxHapException.invalidModel("the provenance record of " + model.label() + " has schema version "
                        + (version == 0 ? "none (an older onnx-hap)" : version) + "; this onnx-hap reads " + VERSION);
            }
            return Optional.of(Json.mapper().treeToValue(tree, Provenance.class));
        } catch (JsonProcessingException e) {
            throw OnnxHapException.invalidModel("the provenance record of " + model.label() + " cannot be read: "
                    + e.getOriginalMessage());
        }
    }
}
