package ai.onnxhap.tf;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.Tensor;
import java.util.Arrays;

/** Output comparison shared by the TF tests. */
final class TfTesting {
    private TfTesting() {
    }

    /**
     * Null when {@code got} matches {@code want}: same shape; floating values within {@code abs + rel·|want|}
     * (NaN matches NaN, infinities must be equal); everything else exactly. Otherwise what differs.
     */
    static String mismatch(Tensor want, Tensor got, double rel, double abs) {
        if (!Arrays.equals(want.shape(), got.shape())) {
            return "shape " + Arrays.toString(got.shape()) + ", expected " + Arrays.toString(want.shape());
        }
        boolean floating = want.type().storage() == DataType.Storage.FLOAT
                || want.type().storage() == DataType.Storage.DOUBLE;
        double[] w = want.toDoubles();
        double[] g = got.toDoubles();
        for (int i = 0; i < w.length; i++) {
            boolean ok;
            if (floating) {
                ok = Double.isNaN(w[i]) ? Double.isNaN(g[i])
                        : Double.isInfinite(w[i]) ? w[i] == g[i] : Math.abs(w[i] - g[i]) <= abs + rel * Math.abs(w[i]);
            } else {
                ok = w[i] == g[i];
            }
            if (!ok) {
                return "element " + i + " is " + g[i] + ", expected " + w[i];
            }
        }
        return null;
    }

    /** Largest absolute difference. */
    static double maxAbsDiff(Tensor a, Tensor b) {
        double[] x = a.toDoubles();
        double[] y = b.toDoubles();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    static double maxAbs(Tensor a) {
        return Arrays.stream(a.toDoubles()).map(Math::abs).max().orElse(0);
    }
}
