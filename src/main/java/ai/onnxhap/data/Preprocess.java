package ai.onnxhap.data;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How images become input tensors ({@code --preprocess}): pixels scaled to [0, 1], converted to the channel
 * count, resized (bilinear, half-pixel centres, no antialiasing), centre-cropped, normalised per channel as
 * (x − mean) / std and laid out NCHW or NHWC. Parsed from e.g.
 * {@code resize=256,crop=224,mean=0.485,0.456,0.406,std=0.229,0.224,0.225,layout=NCHW}.
 *
 * <p>Arrays (.npy, .npz) take {@code scale}, {@code mean} and {@code std}: each value becomes
 * (x · scale − mean) / std as float32, per channel (axis 1) when several means or stds are given. Calibration
 * sets usually come as raw pixels: {@code scale=1/255,mean=0.286,std=0.353} reads uint8 Fashion-MNIST as a model
 * trained on normalised images expects it.
 *
 * @param channels 1 (grayscale: ITU-R 601 luma) or 3 (RGB); 0 = 1 when every image is grayscale, else 3
 * @param resize   the new size, or null to keep it; a square {@link Size} with {@code shorterSide} scales the
 *                 shorter side to it and keeps the aspect ratio
 * @param crop     the centre crop, or null for none
 * @param mean     one value, or one per channel
 * @param std      one value, or one per channel; all positive
 * @param scale    arrays only: the factor applied before mean and std; null when not given
 */
public record Preprocess(int channels, Size resize, Size crop, float[] mean, float[] std, Layout layout,
                         Float scale) {
    public enum Layout { NCHW, NHWC }

    /** A height and width; {@code shorterSide} marks a single number given to resize. */
    public record Size(int height, int width, boolean shorterSide) {
    }

    public static final Preprocess NONE = new Preprocess(0, null, null, new float[] {0}, new float[] {1}, Layout.NCHW,
            null);

    public Preprocess {
        if (channels != 0 && channels != 1 && channels != 3) {
            throw bad("channels must be 1 or 3, got " + channels);
        }
        mean = mean.clone();
        std = std.clone();
        if (scale != null && (!(scale > 0) || !Float.isFinite(scale))) {
            throw bad("scale must be a positive number, got " + scale);
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw bad("std values must be positive, got " + s);
            }
        }
        for (float m : mean) {
            if (!Float.isFinite(m)) {
                throw bad("mean values must be finite, got " + m);
            }
        }
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    private static final List<String> KEYS = List.of("resize", "crop", "mean", "std", "layout", "channels", "scale");



    /**
     * Parses {@code key=value,...}; mean and std take several comma- or slash-separated numbers.
     * Every mistake is a usage error naming the spec.
     */
    public static Preprocess parse(String spec) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        String last = null;
        for (String token : spec.split(",", -1)) {
            String t = token.trim();
            int eq = t.indexOf('=');
            if (eq < 0) {
                if (t.isEmpty() || !("mean".equals(last) || "std".equals(last))) {
                    throw bad(spec, "expected key=value, got '" + t + "'");
                }
                values.get(last).add(t);
                continue;
            }
            String key = t.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!KEYS.contains(key)) {
                throw bad(spec, "unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
            if (values.containsKey(key)) {
                throw bad(spec, "'" + key + "' is given twice");
            }
            values.put(key, new ArrayList<>(Arrays.asList(t.substring(eq + 1).trim().split("/", -1))));
            last = key;
        }
        try {
            int channels = values.containsKey("channels") ? Integer.parseInt(single(values, "channels", spec)) : 0;
            Size resize = values.containsKey("resize") ? size(single(values, "resize", spec), true, spec) : null;
            Size crop = values.containsKey("crop") ? size(single(values, "crop", spec), false, spec) : null;
            float[] mean = values.containsKey("mean") ? floats(values.get("mean")) : new float[] {0};
            float[] std = values.containsKey("std") ? floats(values.get("std")) : new float[] {1};
            Layout layout = Layout.NCHW;
            if (values.containsKey("layout")) {
                String l = single(values, "layout", spec).toUpperCase(Locale.ROOT);
                if (!l.equals("NCHW") && !l.equals("NHWC")) {
                    throw bad(spec, "layout must be NCHW or NHWC, got '" + l + "'");
                }
                layout = Layout.valueOf(l);
            }
            if (mean.length != std.length && mean.length != 1 && std.length != 1) {
                throw bad(spec, "mean has " + mean.length + " values and std " + std.length);
            }
            Float scale = values.containsKey("scale") ? fraction(values.get("scale"), spec) : null;
            return new Preprocess(channels, resize, crop, mean, std, layout, scale);
        } catch (NumberFormatException e) {
            throw bad(spec, "not a number: " + e.getMessage().replace("For input string: ", ""));
        } catch (OnnxHapException e) {
            throw e.getMessage().contains(spec) ? e : bad(spec, e.getMessage().replace("--preprocess: ", ""));
        }
    }

    /**
     * Applies scale, mean and std to every input array of a set (not an image folder): float32 values
     * (x · scale − mean) / std, streamed arrays converted as their rows are read.
     *
     * @param source the data's path, for messages
     */
    public DataSet applyToArrays(DataSet set, String source) {
        if (channels != 0 || resize != null || crop != null || layout != Layout.NCHW) {
            throw bad(source + " holds arrays, which take scale, mean and std only (channels, resize, crop and "
                    + "layout are for image folders)");
        }
        return set.mapColumns((name, column) -> {
            long[] shape = column.shape();
            int channelCount = shape.length > 1 ? (int) shape[1] : 1;
            perChannel(mean, 0, mean.length == 1 ? 1 : channelCount); // checks the counts before any row is read
            perChannel(std, 0, std.length == 1 ? 1 : channelCount);
            return column.normalised(this::normalise);
        });
    }

    /** (x · scale − mean) / std of a tensor whose axis 1 holds the channels. */
    private Tensor normalise(Tensor t) {
        double[] v = t.toDoubles();
        long[] shape = t.shape();
        int channelCount = shape.length > 1 ? (int) shape[1] : 1;
        long inner = 1;
        for (int i = 2; i < shape.length; i++) {
            inner *= shape[i];
        }
        float f = scale == null ? 1f : scale;
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            int c = (int) ((i / inner) % channelCount);
            float m = mean.length == 1 ? mean[0] : mean[c];
            float sd = std.length == 1 ? std[0] : std[c];
            out[i] = ((float) v[i] * f - m) / sd;
        }
        return Tensor.ofFloats(t.name(), shape, out);
    }

    /** "0.00392" or "1/255". */
    private static float fraction(List<String> parts, String spec) {
        if (parts.size() > 2 || parts.stream().anyMatch(String::isBlank)) {
            throw bad(spec, "scale is a number or a fraction like 1/255");
        }
        float v = Float.parseFloat(parts.get(0).trim());
        return parts.size() == 2 ? v / Float.parseFloat(parts.get(1).trim()) : v;
    }

    private static String single(Map<String, List<String>> values, String key, String spec) {
        List<String> v = values.get(key);
        if (v.size() != 1 || v.get(0).isEmpty()) {
            throw bad(spec, "'" + key + "' takes one value");
        }
        return v.get(0);
    }

    private static Size size(String v, boolean resize, String spec) {
        String[] hw = v.toLowerCase(Locale.ROOT).split("x", -1);
        if (hw.length > 2) {
            throw bad(spec, "a size is N or HxW, got '" + v + "'");
        }
        int h = Integer.parseInt(hw[0].trim());
        int w = hw.length == 2 ? Integer.parseInt(hw[1].trim()) : h;
        if (h <= 0 || w <= 0) {
            throw bad(spec, "sizes must be positive, got '" + v + "'");
        }
        return new Size(h, w, resize && hw.length == 1);
    }

    private static float[] floats(List<String> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.parseFloat(values.get(i).trim());
        }
        return out;
    }

    /** The mean or std for channel c of {@code channels}. */
    static float perChannel(float[] values, int c, int channels) {
        if (values.length != 1 && values.length != channels) {
            throw bad("mean/std have " + values.length + " values for " + channels + "-channel images");
        }
        return values.length == 1 ? values[0] : values[c];
    }

    private static OnnxHapException bad(String spec, String why) {
        return OnnxHapException.usage("--preprocess '" + spec + "': " + why);
    }

    private static OnnxHapException bad(String why) {
        return OnnxHapException.usage("--preprocess: " + why);
    }

    @Override
    public String toString() {
        return "channels=" + (channels == 0 ? "auto" : channels)
                + (resize == null ? "" : ",resize=" + (resize.shorterSide() ? "" + resize.height()
                : resize.height() + "x" + resize.width()))
                + (crop == null ? "" : ",crop=" + crop.height() + "x" + crop.width())
                + ",mean=" + join(mean) + ",std=" + join(std) + ",layout=" + layout
                + (scale == null ? "" : ",scale=" + scale);
    }

    private static String join(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : "/").append(v[i]);
        }
        return sb.toString();
    }
}
