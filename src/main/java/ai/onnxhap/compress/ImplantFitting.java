package ai.onnxhap.compress;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.rewrite.ChannelImplant;
import ai.onnxhap.validate.OrtModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The "optimal" implant: the last linear map of each implant (a 1×1 Conv or a MatMul, with its bias) is the
 * least-squares fit of the original layer's outputs for the implanted units, on the calibration data, given
 * what the compressed model feeds it. Implants are fitted in graph order, each on a model whose earlier
 * implants are already fitted, so a fit also absorbs the error of the cuts above it.
 */
public final class ImplantFitting {
    /** Enough rows for a few hundred unknowns per output; more only costs time. */
    static final int MAX_ROWS = 16384;

    private ImplantFitting() {
    }

    /**
     * @param implants       as {@link ai.onnxhap.rewrite.Rewrite#apply} made them
     * @param calibration    inputs the fit is done on (bound to the model's inputs by the caller)
     * @return the model with every implant's last map refitted, and the relative output error of each implant
     *         before and after the fit (‖Ŷ − Y‖ / ‖Y‖ on the sampled rows)
     */
    public static Fitted fit(OnnxModel original, OnnxModel compressed, List<ChannelImplant.Implant> implants,
                             DataSet calibration, ai.onnxhap.validate.OrtModel.Options ort, long seed) {
        Map<String, Tensor> targets = ai.onnxhap.validate.IntermediateValues.of(original, ort, calibration,
                implants.stream().map(ChannelImplant.Implant::originalOutput).distinct().toList());
        Graph g = Graph.of(compressed);
        List<ChannelImplant.Implant> ordered = new ArrayList<>(implants);
        ordered.sort(Comparator.comparingInt(i -> g.producer(i.basis()).map(n -> n.index()).orElse(-1)));
        OnnxModel current = compressed;
        List<double[]> errors = new ArrayList<>();
        for (ChannelImplant.Implant implant : ordered) {
            Tensor basis = ai.onnxhap.validate.IntermediateValues.of(current, ort, calibration, List.of(implant.basis())).get(implant.basis());
            Rows rows = Rows.sample(basis, targets.get(implant.originalOutput()), implant, seed);
            Tensor weight = Graph.of(current).initializer(implant.weight());
            Tensor bias = implant.bias() == null ? null : Graph.of(current).initializer(implant.bias());
            double[][] init = current(weight, bias, implant);
            double before = rows.relativeError(init[0], init[1]);
            double[][] fitted = rows.solve(bias != null);
            double after = rows.relativeError(fitted[0], fitted[1]);
            if (!(after < before)) {
                errors.add(new double[] {before, before}); // keep the SVD or centre-tap start; the fit did not help
                continue;
            }
            errors.add(new double[] {before, after});
            Map<String, Tensor> values = new LinkedHashMap<>();
            values.put(implant.weight(), write(weight, fitted[0], implant));
            if (bias != null) {
                values.put(implant.bias(), Tensor.ofReals(bias.name(), bias.type(), bias.shape(), fitted[1]));
            }
            current = current.withInitializerValues(values);
        }
        return new Fitted(current, ordered, errors);
    }

    /** @param errors per implant (in {@code implants} order), relative output error before and after the fit */
    public record Fitted(OnnxModel model, List<ChannelImplant.Implant> implants, List<double[]> errors) {
    }

    /** Design matrix Z (basis samples, one row per output position) and targets Y for one implant. */
    private record Rows(DMatrixRMaj z, DMatrixRMaj y) {
        static Rows sample(Tensor basis, Tensor target, ChannelImplant.Implant implant, long seed) {
            long[] bs = basis.shape();
            long[] ts = target.shape();
            float[] b = basis.floats();
            float[] t = target.floats();
            int r = implant.rank();
            int[] ch = implant.originalChannels();
            boolean conv = implant.strides() != null;
            int n = (int) ts[0];
            // Output positions: (sample, spatial...) for a Conv, every leading index for a MatMul.
            long positions = conv ? Tensor.elementCount(java.util.Arrays.copyOfRange(ts, 2, ts.length)) : 1;
            long total = conv ? n * positions : Tensor.elementCount(ts) / ts[ts.length - 1];
            int count = (int) Math.min(total, MAX_ROWS);
            long[] picks = pick(total, count, seed);
            DMatrixRMaj z = new DMatrixRMaj(count, r);
            DMatrixRMaj y = new DMatrixRMaj(count, ch.length);
            for (int row = 0; row < count; row++) {
                long p = picks[row];
                if (conv) {
                    int sample = (int) (p / positions);
                    long pos = p % positions;
                    long basisOffset = basisPosition(pos, ts, bs, implant.strides());
                    long basisPlane = Tensor.elementCount(java.util.Arrays.copyOfRange(bs, 2, bs.length));
                    long targetPlane = positions;
                    for (int c = 0; c < r; c++) {
                        z.set(row, c, b[(int) ((sample * bs[1] + c) * basisPlane + basisOffset)]);
                    }
                    for (int o = 0; o < ch.length; o++) {
                        y.set(row, o, t[(int) ((sample * ts[1] + ch[o]) * targetPlane + pos)]);
                    }
                } else {
                    for (int c = 0; c < r; c++) {
                        z.set(row, c, b[(int) (p * r + c)]);
                    }
                    long width = ts[ts.length - 1];
                    for (int o = 0; o < ch.length; o++) {
                        y.set(row, o, t[(int) (p * width + ch[o])]);
                    }
                }
            }
            return new Rows(z, y);
        }

        /** The flat spatial index in the basis that a strided 1×1 Conv reads for output position pos. */
        private static long basisPosition(long pos, long[] ts, long[] bs, long[] strides) {
            long offset = 0;
            long scale = 1;
            for (int a = ts.length - 1; a >= 2; a--) {
                long coord = pos % ts[a];
                pos /= ts[a];
                offset += coord * strides[a - 2] * scale;
                scale *= bs[a];
            }
            return offset;
        }

        private static long[] pick(long total, int count, long seed) {
            long[] out = new long[count];
            if (count == total) {
                for (int i = 0; i < count; i++) {
                    out[i] = i;
                }
                return out;
            }
            SplittableRandom rnd = new SplittableRandom(seed);
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < count; ) {
                long p = rnd.nextLong(total);
                if (seen.add(p)) {
                    out[i++] = p;
                }
            }
            java.util.Arrays.sort(out);
            return out;
        }

        /** Ridge-regularised least squares [Z 1]·[W; b] ≈ Y; returns W as [r × I] and b. */
        double[][] solve(boolean withBias) {
            int r = z.numCols;
            int cols = withBias ? r + 1 : r;
            DMatrixRMaj a = new DMatrixRMaj(z.numRows, cols);
            for (int i = 0; i < z.numRows; i++) {
                for (int c = 0; c < r; c++) {
                    a.set(i, c, z.get(i, c));
                }
                if (withBias) {
                    a.set(i, r, 1);
                }
            }
            DMatrixRMaj ata = new DMatrixRMaj(cols, cols);
            CommonOps_DDRM.multTransA(a, a, ata);
            double trace = 0;
            for (int i = 0; i < cols; i++) {
                trace += ata.get(i, i);
            }
            // A light ridge keeps dead (all-zero) basis channels from making the system singular.
            double ridge = 1e-6 * trace / cols + 1e-12;
            for (int i = 0; i < cols; i++) {
                ata.add(i, i, ridge);
            }
            DMatrixRMaj aty = new DMatrixRMaj(cols, y.numCols);
            CommonOps_DDRM.multTransA(a, y, aty);
            DMatrixRMaj x = new DMatrixRMaj(cols, y.numCols);
            if (!CommonOps_DDRM.solveSPD(ata.copy(), aty, x) && !CommonOps_DDRM.solve(ata, aty, x)) {
                throw new IllegalStateException("the implant's least-squares system is singular");
            }
            double[] w = new double[r * y.numCols];
            double[] bias = new double[y.numCols];
            for (int c = 0; c < r; c++) {
                for (int o = 0; o < y.numCols; o++) {
                    w[c * y.numCols + o] = x.get(c, o);
                }
            }
            if (withBias) {
                for (int o = 0; o < y.numCols; o++) {
                    bias[o] = x.get(r, o);
                }
            }
            return new double[][] {w, bias};
        }

        double relativeError(double[] w, double[] bias) {
            int r = z.numCols;
            int outs = y.numCols;
            double err = 0;
            double norm = 0;
            for (int i = 0; i < z.numRows; i++) {
                for (int o = 0; o < outs; o++) {
                    double v = bias.length == 0 ? 0 : bias[o];
                    for (int c = 0; c < r; c++) {
                        v += z.get(i, c) * w[c * outs + o];
                    }
                    double d = v - y.get(i, o);
                    err += d * d;
                    norm += y.get(i, o) * y.get(i, o);
                }
            }
            return Math.sqrt(err / Math.max(norm, 1e-30));
        }
    }

    /** The implant's current map as W [r × I] and b. */
    private static double[][] current(Tensor weight, Tensor bias, ChannelImplant.Implant implant) {
        double[] v = weight.toDoubles();
        int r = implant.rank();
        int outs = implant.originalChannels().length;
        double[] w = new double[r * outs];
        boolean conv = implant.strides() != null;
        for (int c = 0; c < r; c++) {
            for (int o = 0; o < outs; o++) {
                w[c * outs + o] = conv ? v[o * r + c] : v[c * outs + o];
            }
        }
        return new double[][] {w, bias == null ? new double[0] : bias.toDoubles()};
    }

    private static Tensor write(Tensor weight, double[] w, ChannelImplant.Implant implant) {
        int r = implant.rank();
        int outs = implant.originalChannels().length;
        double[] v = new double[r * outs];
        boolean conv = implant.strides() != null;
        for (int c = 0; c < r; c++) {
            for (int o = 0; o < outs; o++) {
                v[conv ? o * r + c : c * outs + o] = w[c * outs + o];
            }
        }
        return Tensor.ofReals(weight.name(), weight.type(), weight.shape(), v);
    }
}
