package ai.onnxhap.compress;

import ai.onnxhap.model.AtomicFiles;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.sparse.DarbBlockExport;
import ai.onnxhap.provenance.Json;
import java.nio.file.Path;

/**
 * The files a job writes and the rule for when: the JSON report and DARB's block layout whenever asked, the model
 * only when it meets the accuracy target (or {@code keepFailed}) and this is not a dry run. Every file is written
 * atomically, so a failed run leaves what was there before.
 *
 * @param model      where the model goes (null with a dry run)
 * @param report     the report as JSON, or null
 * @param blocks     DARB's block layout (--export-blocks), or null
 * @param keepFailed write the model even when it misses the accuracy target
 */
public record OutputFiles(Path model, Path report, Path blocks, boolean keepFailed) {
    /** What became of the model. */
    public enum Written {
        MODEL,
        /** The accuracy target is missed: the model was not written. */
        NOTHING_TARGET_MISSED,
        /** A dry run (or no model path): nothing but the report. */
        NOTHING_DRY_RUN
    }

    public static OutputFiles model(Path model) {
        return new OutputFiles(model, null, null, false);
    }

    /** Refuses an output path that would overwrite the input, before any work. */
    public void check(OnnxModel input) {
        if (model != null) {
            ModelIO.checkOutput(input, model);
        }
    }

    public Written save(JobResult result, boolean dryRun) {
        if (blocks != null && result instanceof DarbCompression.Result darb) {
            DarbBlockExport.write(darb.plan(), blocks);
        }
        return save(result.model(), result.report(), result.passed(), dryRun);
    }

    /** A search writes its best trial, or nothing when no ratio met the target. */
    public Written save(CompressionJob.SearchOutcome search) {
        return search.best() == null ? Written.NOTHING_TARGET_MISSED : save(search.best(), false);
    }

    /** @param passed whether the model met its accuracy target */
    public Written save(OnnxModel compressed, Object reportValue, boolean passed, boolean dryRun) {
        if (report != null) {
            AtomicFiles.writeString(report, Json.string(reportValue));
        }
        if (dryRun || model == null) {
            return Written.NOTHING_DRY_RUN;
        }
        if (!passed && !keepFailed) {
            return Written.NOTHING_TARGET_MISSED;
        }
        ModelIO.save(compressed, model);
        return Written.MODEL;
    }
}
