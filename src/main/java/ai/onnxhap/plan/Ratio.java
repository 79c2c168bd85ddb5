package ai.onnxhap.plan;

import ai.onnxhap.model.OnnxHapException;
import java.util.Locale;

/**
 * A pruning ratio as users write it, parsed once: {@code 0.94} removes 94% of the weights, {@code 16x} keeps one
 * in 16. Both forms read both ways, each exact in the form it was written: HAP plans with the fraction removed,
 * DARB with the elements per kept weight.
 */
public sealed interface Ratio {
    /** Share of the weights removed, in [0, 1). */
    double removed();

    /** Elements per kept weight, at least 1 (16 for 16x). */
    double keepOneIn();

    /** Written as a fraction to remove. */
    record Removed(double removed) implements Ratio {
        public Removed {
            if (!(removed >= 0 && removed < 1)) {
                throw OnnxHapException.usage("a ratio to remove is a fraction in [0, 1), got " + removed);
            }
        }

        @Override
        public double keepOneIn() {
            return 1 / (1 - removed);
        }

        @Override
        public String toString() {
            return Double.toString(removed);
        }
    }

    /** Written as Nx: keep one weight in N. */
    record KeepOneIn(double keepOneIn) implements Ratio {
        public KeepOneIn {
            if (!(keepOneIn >= 1) || Double.isInfinite(keepOneIn)) {
                throw OnnxHapException.usage("a ratio Nx keeps one weight in N, N at least 1, got " + keepOneIn);
            }
        }

        @Override
        public double removed() {
            return 1 - 1 / keepOneIn;
        }

        @Override
        public String toString() {
            return (keepOneIn == Math.rint(keepOneIn) ? Long.toString((long) keepOneIn) : Double.toString(keepOneIn))
                    + "x";
        }
    }

    static Ratio removing(double fraction) {
        return new Removed(fraction);
    }

    /**
     * "0.5" (a fraction to remove, in [0, 1)) or "16x" (keep one in 16, N ≥ 1).
     *
     * @throws OnnxHapException (usage) naming both forms when the text is neither
     */
    static Ratio parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("x")) {
                return new KeepOneIn(Double.parseDouble(t.substring(0, t.length() - 1)));
            }
            return new Removed(Double.parseDouble(t));
        } catch (NumberFormatException | OnnxHapException e) {
            throw OnnxHapException.usage("'" + text + "' is neither a fraction to remove in [0, 1) (0.94 removes "
                    + "94%) nor a ratio like 16x (keeps 1 in 16)");
        }
    }
}
