package ai.onnxhap.compress;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.graph.ShapeOracle;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.provenance.Provenance;
import java.util.Arrays;

/**
 * Re-runs the compression a model's provenance record describes, whatever its method, from the record alone: the
 * original model (checked by hash), the same data (split with the recorded seed, checked by fingerprint), the same
 * stages, settings and runtime. What {@code onnx-hap replay} runs.
 */
public final class Replay {
    private Replay() {
    }

    /** @param identical whether the replay wrote the same bytes as the recorded model */
    public record Result(JobResult job, Provenance record, boolean identical) {
    }

    /**
     * @param recorded a model onnx-hap wrote (its record is read from it)
     * @param original the model it was made from
     * @param data     the --data of the recorded run (null when it had none); train and validation likewise
     */
    public static Result run(OnnxModel recorded, OnnxModel original, DataSet data, DataSet train, DataSet validation,
                             ShapeOracle shapes, CompressionJob.Progress progress) {
        Provenance record = Provenance.read(recorded).orElseThrow(() -> OnnxHapException.usage(recorded.label()
                + " holds no onnx-hap provenance record: only models onnx-hap wrote can be replayed"));
        String sha = HapRequest.hash(original);
        var jobData = CompressionJob.Data.of(data, train, validation, record.seed());
        JobResult job = switch (record.method()) {
            case "hap" -> CompressionJob.replay(original, sha, record, jobData, shapes, progress);
            case "darb" -> DarbCompression.replay(original, sha, record, jobData.calibration(), jobData.train(),
                    jobData.validation());
            default -> throw OnnxHapException.usage("the record names method '" + record.method()
                    + "', which this version of onnx-hap does not know");
        };
        return new Result(job, record, Arrays.equals(job.model().proto().toByteArray(),
                recorded.proto().toByteArray()));
    }
}
