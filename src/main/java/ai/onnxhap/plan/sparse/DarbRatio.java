package ai.onnxhap.plan.sparse;

import ai.onnxhap.model.OnnxHapException;

/** The pruning ratio as users write it: "16x" keeps 1/16 of the weights, "0.94" removes 94% of them. */
public final class DarbRatio {
    private DarbRatio() {
    }

    /** @return elements per kept weight (16 for "16x", 1/(1 − 0.94) for "0.94") */
    public static double parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("x")) {
                double r = Double.parseDouble(t.substring(0, t.length() - 1));
                if (!(r > 1) || Double.isInfinite(r)) {
                    throw OnnxHapException.usage("--ratio " + text + " must be above 1x (keep fewer weights than now)");
                }
                return r;
            }
            double removed = Double.parseDouble(t);
            if (removed > 0 && removed < 1) {
                return 1 / (1 - removed);
            }
        } catch (NumberFormatException e) {
            throw OnnxHapException.usage("--ratio " + text + " is not a ratio: write e.g. 16x (keep 1/16) or 0.94 "
                    + "(remove 94%)");
        }
        throw OnnxHapException.usage("--ratio " + text + " is neither a fraction to remove in (0, 1) nor a ratio "
                + "like 16x");
    }
}
