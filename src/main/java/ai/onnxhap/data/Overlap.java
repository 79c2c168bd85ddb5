package ai.onnxhap.data;

import java.util.HashSet;
import java.util.Set;

/**
 * How many rows of one data set also appear in another: a validation set cut from the training data measures
 * training accuracy, which says little about the model. Rows are compared by a 64-bit digest of every input's
 * values in that row (element type, shape and bits), read batch by batch, so a streamed .npy stays on disk.
 */
public final class Overlap {
    private static final int BATCH = 1024;

    private Overlap() {
    }

    /** Rows of {@code rows} whose inputs equal those of some row of {@code in}. */
    public static int count(DataSet rows, DataSet in) {
        if (!rows.names().equals(in.names())) {
            return 0; // other inputs: not the same kind of rows
        }
        Set<Long> seen = new HashSet<>();
        for (DataSet batch : in.batches(BATCH)) {
            for (long d : digests(batch)) {
                seen.add(d);
            }
        }
        int found = 0;
        for (DataSet batch : rows.batches(BATCH)) {
            for (long d : digests(batch)) {
                found += seen.contains(d) ? 1 : 0;
            }
        }
        return found;
    }

    private static long[] digests(DataSet batch) {
        int n = batch.size();
        long[] out = new long[n];
        java.util.Arrays.fill(out, 0x9E3779B97F4A7C15L);
        for (String name : batch.names()) {
            var t = batch.input(name);
            double[] v = t.toDoubles();
            int per = n == 0 ? 0 : v.length / n;
            for (int r = 0; r < n; r++) {
                long h = out[r] * 31 + t.type().ordinal();
                for (int i = r * per; i < (r + 1) * per; i++) {
                    h = (h ^ Double.doubleToLongBits(v[i])) * 0x100000001B3L; // FNV-1a over the bits
                }
                out[r] = h ^ (h >>> 29);
            }
        }
        return out;
    }
}
