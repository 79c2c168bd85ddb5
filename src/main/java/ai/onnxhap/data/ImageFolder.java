package ai.onnxhap.data;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A folder with one sub-folder of images per class ({@code DIR/cat/1.png}, {@code DIR/dog/7.jpg}, ...), as
 * torchvision's ImageFolder reads it: the class index is the position of the sub-folder's name in sorted
 * order. Images are decoded with the JDK's ImageIO (PNG, JPEG, BMP, GIF) and turned into one float32 input
 * by a {@link Preprocess}.
 */
public final class ImageFolder {
    /** The array name: positional, so it feeds a single-input model whatever its input is called. */
    static final String ARRAY = "arr_0";

    private ImageFolder() {
    }

    /** The class names, sorted; class i is the i-th. */
    public static List<String> classes(Path dir) {
        return classFolders(dir).stream().map(p -> p.getFileName().toString()).toList();
    }

    /** True when the folder holds sub-folders and no files other than hidden ones, i.e. looks like classes. */
    static boolean looksLikeOne(Path dir) {
        List<Path> entries = list(dir);
        return !entries.isEmpty() && entries.stream().allMatch(Files::isDirectory);
    }

    public static DataSet load(Path dir, Preprocess preprocess) {
        List<Path> classes = classFolders(dir);
        if (classes.isEmpty()) {
            throw OnnxHapException.usage(dir + " holds no class sub-folders");
        }
        List<float[]> images = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        List<Decoded> decoded = new ArrayList<>();
        boolean allGray = true;
        for (int c = 0; c < classes.size(); c++) {
            for (Path file : list(classes.get(c))) {
                if (Files.isDirectory(file)) {
                    throw OnnxHapException.usage(file + " is a folder inside class folder " + classes.get(c)
                            .getFileName() + "; class folders hold images only");
                }
                Decoded d = decode(file);
                allGray &= d.channels() == 1;
                decoded.add(d);
                labels.add((long) c);
            }
        }
        if (decoded.isEmpty()) {
            throw OnnxHapException.usage(dir + " holds no images in its class folders " + classes(dir));
        }
        int channels = preprocess.channels() != 0 ? preprocess.channels() : allGray ? 1 : 3;
        int height = -1;
        int width = -1;
        Decoded firstShaped = null;
        for (int i = 0; i < decoded.size(); i++) {
            Decoded d = decoded.set(i, null);  // let each raw image go once it is converted
            Decoded shaped = transform(d.withChannels(channels), preprocess);
            if (firstShaped == null) {
                firstShaped = shaped;
                height = shaped.height();
                width = shaped.width();
            } else if (shaped.height() != height || shaped.width() != width) {
                throw OnnxHapException.usage("images differ in size after preprocessing: " + firstShaped.file()
                        + " is " + width + "x" + height + ", " + d.file() + " is " + shaped.width() + "x"
                        + shaped.height() + "; give --preprocess resize=...,crop=...");
            }
            images.add(normalise(shaped, preprocess));
        }
        int n = images.size();
        int per = channels * height * width;
        float[] values = new float[Math.multiplyExact(n, per)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.get(i), 0, values, i * per, per);
        }
        long[] shape = preprocess.layout() == Preprocess.Layout.NCHW
                ? new long[] {n, channels, height, width} : new long[] {n, height, width, channels};
        long[] y = labels.stream().mapToLong(Long::longValue).toArray();
        return new DataSet(Map.of(ARRAY, Tensor.ofFloats(ARRAY, shape, values)),
                Tensor.ofLongs(DataLoader.LABELS, new long[] {n}, y));
    }

    /** One image as planar floats in [0, 1]: plane c holds channel c, row-major. */
    record Decoded(Path file, int channels, int height, int width, float[] planes) {
        float at(int c, int y, int x) {
            return planes[(c * height + y) * width + x];
        }

        Decoded withChannels(int wanted) {
            if (wanted == channels) {
                return this;
            }
            int hw = height * width;
            float[] out = new float[wanted * hw];
            if (wanted == 3) {
                for (int c = 0; c < 3; c++) {
                    System.arraycopy(planes, 0, out, c * hw, hw);
                }
            } else {
                for (int i = 0; i < hw; i++) {
                    // ITU-R 601 luma, as PIL's convert("L").
                    out[i] = 0.299f * planes[i] + 0.587f * planes[hw + i] + 0.114f * planes[2 * hw + i];
                }
            }
            return new Decoded(file, wanted, height, width, out);
        }
    }

    static Decoded decode(Path file) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw OnnxHapException.usage(file + " is not a readable image (" + e.getMessage() + ")");
        }
        if (img == null) {
            throw OnnxHapException.usage(file + " is not an image the JDK can decode (PNG, JPEG, BMP, GIF)");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        boolean gray = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && img.getRaster().getNumBands() == 1;
        if (gray) {
            // Raw samples: going through getRGB would apply a gamma conversion to gray images.
            Raster r = img.getRaster();
            double max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            float[] out = new float[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = (float) (r.getSample(x, y, 0) / max);
                }
            }
            return new Decoded(file, 1, h, w, out);
        }
        float[] out = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int i = y * w + x;
                out[i] = ((rgb >> 16) & 0xff) / 255f;
                out[h * w + i] = ((rgb >> 8) & 0xff) / 255f;
                out[2 * h * w + i] = (rgb & 0xff) / 255f;
            }
        }
        return new Decoded(file, 3, h, w, out);
    }

    /** Resize, then centre crop. */
    static Decoded transform(Decoded d, Preprocess p) {
        Decoded out = d;
        if (p.resize() != null) {
            int h;
            int w;
            if (p.resize().shorterSide()) {
                int s = p.resize().height();
                boolean tall = d.height() >= d.width();
                h = tall ? (int) Math.round((double) s * d.height() / d.width()) : s;
                w = tall ? s : (int) Math.round((double) s * d.width() / d.height());
            } else {
                h = p.resize().height();
                w = p.resize().width();
            }
            out = resize(out, h, w);
        }
        if (p.crop() != null) {
            int ch = p.crop().height();
            int cw = p.crop().width();
            if (ch > out.height() || cw > out.width()) {
                throw OnnxHapException.usage("--preprocess crop " + cw + "x" + ch + " is larger than " + d.file()
                        + " (" + out.width() + "x" + out.height() + " after resizing)");
            }
            int top = (out.height() - ch) / 2;
            int left = (out.width() - cw) / 2;
            float[] planes = new float[out.channels() * ch * cw];
            for (int c = 0; c < out.channels(); c++) {
                for (int y = 0; y < ch; y++) {
                    for (int x = 0; x < cw; x++) {
                        planes[(c * ch + y) * cw + x] = out.at(c, top + y, left + x);
                    }
                }
            }
            out = new Decoded(d.file(), out.channels(), ch, cw, planes);
        }
        return out;
    }

    /** Bilinear with half-pixel centres (ONNX Resize's default coordinate mode), edges clamped. */
    static Decoded resize(Decoded d, int h, int w) {
        if (h == d.height() && w == d.width()) {
            return d;
        }
        float[] out = new float[d.channels() * h * w];
        double sy = (double) d.height() / h;
        double sx = (double) d.width() / w;
        for (int y = 0; y < h; y++) {
            double fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), d.height() - 1);
            int y0 = (int) fy;
            int y1 = Math.min(y0 + 1, d.height() - 1);
            double dy = fy - y0;
            for (int x = 0; x < w; x++) {
                double fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), d.width() - 1);
                int x0 = (int) fx;
                int x1 = Math.min(x0 + 1, d.width() - 1);
                double dx = fx - x0;
                for (int c = 0; c < d.channels(); c++) {
                    double top = d.at(c, y0, x0) * (1 - dx) + d.at(c, y0, x1) * dx;
                    double bottom = d.at(c, y1, x0) * (1 - dx) + d.at(c, y1, x1) * dx;
                    out[(c * h + y) * w + x] = (float) (top * (1 - dy) + bottom * dy);
                }
            }
        }
        return new Decoded(d.file(), d.channels(), h, w, out);
    }

    /** (x − mean) / std per channel, in the layout asked for. */
    static float[] normalise(Decoded d, Preprocess p) {
        int c = d.channels();
        int hw = d.height() * d.width();
        float[] mean = p.mean();
        float[] std = p.std();
        float[] out = new float[c * hw];
        for (int ch = 0; ch < c; ch++) {
            float m = Preprocess.perChannel(mean, ch, c);
            float s = Preprocess.perChannel(std, ch, c);
            for (int i = 0; i < hw; i++) {
                float v = (d.planes()[ch * hw + i] - m) / s;
                out[p.layout() == Preprocess.Layout.NCHW ? ch * hw + i : i * c + ch] = v;
            }
        }
        return out;
    }

    private static List<Path> classFolders(Path dir) {
        return list(dir).stream().filter(Files::isDirectory).toList();
    }

    /** Entries in name order, hidden ones (.DS_Store, ...) left out. */
    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw OnnxHapException.io("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
