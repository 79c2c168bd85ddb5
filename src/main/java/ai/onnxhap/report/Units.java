package ai.onnxhap.report;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Human-readable numbers for tables: 1.23 M, 4.5 MB, [1,3,224,224]. */
public final class Units {
    private Units() {
    }

    public static String count(long n) {
        if (Math.abs(n) < 10_000) {
            return Long.toString(n);
        }
        String[] suffix = {"K", "M", "G", "T"};
        double v = n;
        int i = -1;
        while (Math.abs(v) >= 1000 && i < suffix.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, suffix[i]);
    }

    public static String bytes(long n) {
        if (n < 0) {
            return "?";
        }
        if (n < 1024) {
            return n + " B";
        }
        String[] suffix = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < suffix.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, suffix[i]);
    }

    public static String shape(long[] dims) {
        return dims == null ? "?" : Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    }

    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    public static String decimal(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }
}
