package ai.onnxhap.plan.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.testing.TestModels;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DarbPlannerTest {
    private static float[] randomScores(Random rnd, int n) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = rnd.nextFloat();
        }
        return s;
    }

    @Test
    void blockMaxMaskingKeepsExactlyTheMaximumOfEveryBlock() {
        Random rnd = new Random(7);
        int rows = 12;
        int cols = 37; // not a multiple of the block sizes: the last block of each row is short
        float[] s = randomScores(rnd, rows * cols);
        int[] sizes = new int[rows];
        for (int r = 0; r < rows; r++) {
            sizes[r] = 1 << rnd.nextInt(7); // 1 .. 64, wider than the row too
        }
        int[][] kept = BlockMaxMasking.keep(s, rows, cols, sizes);
        for (int r = 0; r < rows; r++) {
            int b = sizes[r];
            assertEquals((cols + b - 1) / b, kept[r].length, "one weight per block in row " + r);
            for (int k = 0; k < kept[r].length; k++) {
                int c = kept[r][k];
                assertEquals(k, c / b, "kept weight " + c + " of row " + r + " lies in block " + k);
                float max = Float.NEGATIVE_INFINITY;
                for (int j = k * b; j < Math.min(cols, (k + 1) * b); j++) {
                    max = Math.max(max, s[r * cols + j]);
                }
                assertEquals(max, s[r * cols + c], "row " + r + " block " + k + " keeps its maximum");
            }
        }
    }

    @Test
    void blockSizesFollowRowDensitiesExactlyWhenTheyArePowersOfTwo() {
        // Survivors 32, 16, 8, 4 of 64 columns and a target of 60: blocks of 2, 4, 8, 16 keep exactly those.
        int[] sizes = BlockAllocation.blockSizes(new int[] {32, 16, 8, 4}, 64, 60);
        assertArrayEquals(new int[] {2, 4, 8, 16}, sizes);
        // A row irregular pruning emptied still keeps one block (the whole row).
        assertArrayEquals(new int[] {1, 64}, BlockAllocation.blockSizes(new int[] {64, 0}, 64, 65));
        assertEquals(64, BlockAllocation.maxBlock(64));
        assertEquals(32, BlockAllocation.maxBlock(28));
        assertEquals(1, BlockAllocation.maxBlock(1));
    }

    @Test
    void achievedRatioMeetsTheTargetWithinOneBlockPerRowForEveryPattern() {
        OnnxModel mlp = ModelIO.load(TestModels.testdata().resolve("mlp_fmnist.onnx"));
        OnnxModel lstm = ModelIO.load(TestModels.testdata().resolve("lstm_fmnist.onnx"));
        for (OnnxModel model : new OnnxModel[] {mlp, lstm}) {
            for (double ratio : new double[] {8, 16, 25}) {
                for (SparsityPattern p : SparsityPattern.values()) {
                    DarbPlan plan = DarbPlanner.plan(Graph.of(model), ratio, p, Map.of(), 4096, Set.of());
                    assertTrue(!plan.layouts().isEmpty());
                    for (MatrixLayout l : plan.layouts()) {
                        MatrixView m = l.matrix();
                        long target = Math.round(m.elements() / ratio);
                        long kept = l.keptCount();
                        String what = p + " " + ratio + "x " + m.label();
                        assertTrue(Math.abs(target - kept) <= m.rows(), what + ": kept " + kept + " of " + target);
                        assertTrue(p == SparsityPattern.FIXED_BLOCK || kept <= target, what + ": " + kept);
                        if (p != SparsityPattern.FIXED_BLOCK) {
                            // Fixed blocks cannot split the difference; the others are far tighter than a row.
                            assertTrue(target - kept <= Math.max(1, m.cols() / ratio), what + ": " + kept);
                        }
                        for (int b : l.blockSizes()) {
                            assertTrue(p != SparsityPattern.DARB || Integer.bitCount(b) == 1, what + ": block " + b);
                        }
                    }
                }
            }
        }
    }

    @Test
    void denserRowsGetSmallerBlocks() {
        // Row r's weights are scaled by 2^(r/4): the top rows dominate irregular pruning.
        int rows = 32;
        int cols = 256;
        Random rnd = new Random(3);
        float[] s = new float[rows * cols];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (rnd.nextFloat() * Math.pow(2, (i / cols) / 4.0));
        }
        MatrixView m = new MatrixView("W", "fc", "Gemm", "", new long[] {rows, cols}, 0, rows, cols, cols, 1);
        MatrixLayout l = DarbPlanner.layout(m, s, 16, SparsityPattern.DARB);
        int[] sizes = l.blockSizes();
        for (int r = 1; r < rows; r++) {
            assertTrue(sizes[r] <= sizes[r - 1], "row " + r + " is denser than row " + (r - 1) + ": "
                    + java.util.Arrays.toString(sizes));
        }
        assertTrue(sizes[0] > sizes[rows - 1], java.util.Arrays.toString(sizes));
    }

    @Test
    void viewsAddressGemmMatMulAndRecurrentGateRows() {
        OnnxModel mlp = TestModels.mlp(2, 96, 64, 80, 1); // Gemm W [96, 64] (transB = 0), MatMul V [64, 80]
        var found = EligibleMatrices.find(Graph.of(mlp), 4096, Set.of());
        assertEquals(2, found.matrices().size());
        MatrixView w = found.matrices().get(0);
        assertEquals(64, w.rows());
        assertEquals(96, w.cols());
        assertEquals(5 * 64 + 3, w.index(3, 5), "row = output unit = column of the stored [in, out] weight");

        OnnxModel lstm = ModelIO.load(TestModels.testdata().resolve("lstm_fmnist.onnx"));
        var views = EligibleMatrices.find(Graph.of(lstm), 4096, Set.of()).matrices();
        assertEquals(8, views.size(), "W and R, four gate blocks each");
        MatrixView forgetR = views.stream().filter(v -> v.part().equals("R dir 0 gate f")).findFirst().orElseThrow();
        float[] r = Graph.of(lstm).initializer(forgetR.tensor()).floats(); // [1, 4*64, 64], gates i, o, f, c
        float[] gathered = forgetR.gather(r);
        assertEquals(64 * 64, gathered.length);
        assertEquals(r[(2 * 64 + 5) * 64 + 7], gathered[5 * 64 + 7]);
        assertTrue(EligibleMatrices.find(Graph.of(lstm), 4096, Set.of()).skipped().stream()
                .anyMatch(s -> s.reason().contains("below 4096")), "the 64x10 classifier stays dense");
    }

    @Test
    void indexBitsMatchClosedForms() {
        assertEquals(10 + 257.0 * 14 / 12544, IndexBits.csr(256, 784, 12544), 1e-12);
        assertEquals(16, IndexBits.fixedBlockSize(256, 784, 12544));
        assertEquals(4, IndexBits.fixedBlock(256, 784, 12544));
        // Uniform blocks of 16 laid out by DARB: 4 offset bits plus a 4-bit size code (one of 1..1024) per row.
        MatrixView m = new MatrixView("W", "fc", "Gemm", "", new long[] {256, 784}, 0, 256, 784, 784, 1);
        int[] sizes = new int[256];
        java.util.Arrays.fill(sizes, 16);
        var l = new MatrixLayout(m, SparsityPattern.DARB, sizes, BlockMaxMasking.keep(new float[256 * 784], 256, 784,
                sizes));
        assertEquals(4 + 256.0 * 4 / 12544, IndexBits.of(l), 1e-12);
    }

    @Test
    void unreachableRatioAndMissingMatricesAreRefusedClearly() {
        OnnxModel tiny = TestModels.gemm(4, 4, new float[16], new float[4]);
        OnnxHapException ratio = assertThrows(OnnxHapException.class,
                () -> DarbPlanner.plan(Graph.of(tiny), 1000, SparsityPattern.DARB, Map.of(), 0, Set.of()));
        assertEquals(ErrorCode.USAGE, ratio.code());
        assertTrue(ratio.getMessage().contains("ratio 1000x cannot be met on W (4×4)"), ratio.getMessage());
        assertTrue(ratio.getMessage().contains("at most 4x"), ratio.getMessage());

        OnnxHapException none = assertThrows(OnnxHapException.class,
                () -> DarbPlanner.plan(Graph.of(tiny), 16, SparsityPattern.DARB, Map.of(), 4096, Set.of()));
        assertEquals(ErrorCode.MODEL_NOT_SUPPORTED, none.code());
        assertTrue(none.getMessage().contains("no weight matrix to prune"), none.getMessage());
        assertTrue(none.getMessage().contains("W: 16 elements, below 4096"), none.getMessage());

        OnnxModel mlp = TestModels.mlp(2, 96, 64, 80, 1);
        OnnxHapException excluded = assertThrows(OnnxHapException.class, () -> DarbPlanner.plan(Graph.of(mlp), 16,
                SparsityPattern.DARB, Map.of(), 4096, Set.of("fc1", "fc2")));
        assertTrue(excluded.getMessage().contains("excluded"), excluded.getMessage());
    }
}
