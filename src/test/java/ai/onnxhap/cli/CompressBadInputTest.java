package ai.onnxhap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.ModelIO;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jetbrains.bio.npy.NpyFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's bad-input acceptance, through the CLI: each case fails with one line on stderr, the documented
 * exit code, and no output model.
 */
class CompressBadInputTest {
    /** 784 float inputs → 10 logits; fast to prune, so each case costs little. */
    private static final Path MLP = TestModels.testdata().resolve("mlp_fmnist.onnx");

    @TempDir
    Path dir;

    private Path out() {
        return dir.resolve("out.onnx");
    }

    /** Runs compress (data-free l1 ranking, no retraining) and checks the common contract of a failure. */
    private CliTest.Run fails(int exitCode, String expected, String... extra) {
        List<String> args = new ArrayList<>(List.of("compress", MLP.toString(), "-o", out().toString(),
                "--criterion", "l1", "--epochs", "0"));
        args.addAll(List.of(extra));
        CliTest.Run r = CliTest.run(args.toArray(String[]::new));
        assertEquals(exitCode, r.code(), r.err());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line on stderr, got: " + r.err());
        assertTrue(lines.get(0).startsWith("onnx-hap: "), r.err());
        assertTrue(lines.get(0).contains(expected), "expected '" + expected + "' in: " + r.err());
        assertFalse(Files.exists(out()), "nothing is written");
        return r;
    }

    private Path floats(String name, float[] values, int... shape) {
        Path p = dir.resolve(name);
        NpyFile.write(p, values, shape);
        return p;
    }

    private Path longs(String name, long... values) {
        Path p = dir.resolve(name);
        NpyFile.write(p, values, new int[] {values.length});
        return p;
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 0.5f);
        return v;
    }

    @Test
    void dataOfTheWrongShapeOrType() {
        fails(ExitCodes.USAGE, "input 'input' expects shape [batch,784], data has [4,1,28,28]",
                "--data", floats("image.npy", ones(4 * 784), 4, 1, 28, 28).toString());
        fails(ExitCodes.USAGE, "input 'input' expects shape [batch,784], data has [4,1,28,28]",
                "--train-data", dir.resolve("image.npy").toString());
        Path ints = dir.resolve("ints.npy");
        NpyFile.write(ints, new long[4 * 784], new int[] {4, 784});
        fails(ExitCodes.USAGE, "input 'input' expects float32, data is int64", "--data", ints.toString());
    }

    @Test
    void labelsOutOfRangeOrMiscounted() {
        Path x = floats("x.npy", ones(4 * 784), 4, 784);
        // Checked over the whole set in file order, before the 80/20 split could hide sample 1 or reorder it.
        fails(ExitCodes.USAGE, "label 10 of sample 1 is out of range for output 'logits' with 10 classes",
                "--data", x.toString(), "--labels", longs("ten.npy", 0, 10, 11, 1).toString());
        fails(ExitCodes.USAGE, "labels must be integers >= 0; sample 1",
                "--data", x.toString(), "--labels", longs("negative.npy", 0, -1, 2, 3).toString());
        fails(ExitCodes.USAGE, "hold 3 labels but data " + x + " has 4 samples",
                "--data", x.toString(), "--labels", longs("three.npy", 0, 1, 2).toString());
        // The same checks guard explicit training sets, before any pruning happens.
        fails(ExitCodes.USAGE, "label 10 of sample 1 is out of range",
                "--train-data", x.toString(), "--train-labels", dir.resolve("ten.npy").toString());
    }

    @Test
    void emptyDataAndNonFiniteValues() {
        fails(ExitCodes.USAGE, "holds no samples", "--data", floats("empty.npy", new float[0], 0, 784).toString());
        float[] nan = ones(3 * 784);
        nan[784 + 5] = Float.NaN;
        fails(ExitCodes.USAGE, "data array 'arr_0' in " + dir.resolve("nan.npy") + " has NaN in sample 1 (index 789)",
                "--data", floats("nan.npy", nan, 3, 784).toString());
        float[] inf = ones(3 * 784);
        inf[2 * 784] = Float.NEGATIVE_INFINITY;
        fails(ExitCodes.USAGE, "has Inf in sample 2 (index 1568)",
                "--val-data", floats("inf.npy", inf, 3, 784).toString());
    }

    @Test
    void missingFilesAreIoErrors() {
        fails(ExitCodes.IO, "no such file: " + dir.resolve("nowhere.npy"),
                "--data", dir.resolve("nowhere.npy").toString());
        fails(ExitCodes.IO, "no such file: " + dir.resolve("nolabels.npy"),
                "--data", floats("x.npy", ones(784), 1, 784).toString(), "--labels",
                dir.resolve("nolabels.npy").toString());
    }

    @Test
    void malformedPreprocessSpecs() throws IOException {
        Path images = dir.resolve("images");
        Files.createDirectories(images.resolve("a"));
        fails(ExitCodes.USAGE, "--preprocess 'resize=big': not a number", "--data", images.toString(),
                "--preprocess", "resize=big");
        fails(ExitCodes.USAGE, "unknown key 'gamma'", "--data", images.toString(), "--preprocess", "gamma=2");
        fails(ExitCodes.USAGE, "scale applies to arrays", "--data", images.toString(), "--preprocess", "scale=2");
        fails(ExitCodes.USAGE, "expected key=value, got 'NCHW'", "--data", images.toString(),
                "--preprocess", "resize=28,NCHW");
        fails(ExitCodes.USAGE, "std values must be positive", "--data", images.toString(), "--preprocess", "std=0");
        fails(ExitCodes.USAGE, "layout must be NCHW or NHWC", "--data", images.toString(),
                "--preprocess", "layout=CHW");
        fails(ExitCodes.USAGE, "take scale, mean and std only",
                "--data", floats("x.npy", ones(784), 1, 784).toString(), "--preprocess", "resize=28");
    }

    @Test
    void ratioOutsideItsRange() {
        for (String ratio : List.of("1", "1.5", "-0.1", "NaN")) {
            fails(ExitCodes.USAGE, "Invalid value for option '--ratio': '" + ratio + "' is neither a fraction to remove in [0, 1)", "--ratio", ratio);
        }
    }

    @Test
    void everyGroupExcluded() {
        String all = ModelIO.load(MLP).proto().getGraph().getNodeList().stream().map(NodeProto::getName)
                .collect(Collectors.joining(","));
        // With data, so the "no data given" notice does not come first (see the report on that notice).
        CliTest.Run r = fails(ExitCodes.USAGE, "every prunable group is excluded; nothing to prune", "--exclude", all,
                "--data", TestModels.testdata().resolve("mlp_fmnist.npz").toString());
        assertFalse(r.out().contains("Wrote"), r.out());
    }
}
