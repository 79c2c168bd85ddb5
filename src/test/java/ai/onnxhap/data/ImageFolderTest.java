package ai.onnxhap.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders: class index from sorted folder names, pixels against values worked out by hand. */
class ImageFolderTest {
    private static final float EPS = 1e-6f;

    @TempDir
    Path dir;

    /** A grayscale PNG; {@code rows[y][x]} are 8-bit pixel values. */
    private Path gray(String path, int[][] rows) throws IOException {
        BufferedImage img = new BufferedImage(rows[0].length, rows.length, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < rows.length; y++) {
            for (int x = 0; x < rows[0].length; x++) {
                img.getRaster().setSample(x, y, 0, rows[y][x]);
            }
        }
        return write(path, img, "png");
    }

    /** An RGB image of one colour. */
    private Path rgb(String path, int w, int h, int r, int g, int b, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return write(path, img, format);
    }

    private Path write(String path, BufferedImage img, String format) throws IOException {
        Path p = dir.resolve(path);
        Files.createDirectories(p.getParent());
        assertTrue(ImageIO.write(img, format, p.toFile()));
        return p;
    }

    private static OnnxHapException usage(Runnable r) {
        OnnxHapException e = assertThrows(OnnxHapException.class, r::run);
        assertEquals(ErrorCode.USAGE, e.code(), e.getMessage());
        return e;
    }

    @Test
    void classIndexIsThePositionOfTheSortedFolderName() throws IOException {
        int[][] px = {{0}};
        gray("set/trouser/1.png", px);
        gray("set/coat/1.png", px);
        gray("set/coat/2.png", px);
        gray("set/bag/1.png", px);
        Files.writeString(dir.resolve("set/coat/.DS_Store"), "ignored");
        assertEquals(List.of("bag", "coat", "trouser"), ImageFolder.classes(dir.resolve("set")));
        DataSet d = DataLoader.load(dir.resolve("set"));
        assertArrayEquals(new long[] {0, 1, 1, 2}, d.labels().orElseThrow().longs());
        assertArrayEquals(new long[] {4, 1, 1, 1}, d.shape("arr_0"), "grayscale images give one channel");
    }

    @Test
    void cropThenMeanAndStdOnGrayPixels() throws IOException {
        gray("set/a/x.png", new int[][] {
                {0, 10, 20, 30},
                {40, 50, 60, 70},
                {80, 90, 100, 110},
                {120, 130, 140, 150}});
        DataSet d = DataLoader.load(dir.resolve("set"), null, Preprocess.parse("crop=2,mean=0.2,std=0.5"));
        assertArrayEquals(new long[] {1, 1, 2, 2}, d.shape("arr_0"));
        float[] expected = new float[4];
        int[] centre = {50, 60, 90, 100};
        for (int i = 0; i < 4; i++) {
            expected[i] = (centre[i] / 255f - 0.2f) / 0.5f;
        }
        assertArrayEquals(expected, d.input("arr_0").floats(), EPS);
    }

    @Test
    void bilinearResizeUsesHalfPixelCentres() throws IOException {
        gray("set/a/x.png", new int[][] {{0, 255}, {255, 0}});
        float[] v = DataLoader.load(dir.resolve("set"), null, Preprocess.parse("resize=4x4")).input("arr_0").floats();
        // Source coordinate of output i is (i + 0.5)/2 − 0.5, clamped: 0, 0.25, 0.75, 1. With corners
        // 0, 1, 1, 0 the value is dx + dy − 2·dx·dy.
        double[] w = {0, 0.25, 0.75, 1};
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(w[x] + w[y] - 2 * w[x] * w[y], v[y * 4 + x], EPS, "pixel " + y + "," + x);
            }
        }
        // One number scales the shorter side and keeps the aspect ratio: 2 wide × 4 tall → 4 × 8.
        gray("tall/a/x.png", new int[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}});
        assertArrayEquals(new long[] {1, 1, 8, 4},
                DataLoader.load(dir.resolve("tall"), null, Preprocess.parse("resize=4")).shape("arr_0"));
    }

    @Test
    void rgbPerChannelNormalisationInBothLayouts() throws IOException {
        rgb("set/a/x.png", 3, 2, 10, 20, 30, "png");
        rgb("set/b/y.bmp", 3, 2, 200, 100, 0, "bmp");
        String norm = "mean=0.1,0.2,0.3,std=0.5/0.25/0.125";
        float[][] pixels = {{10, 20, 30}, {200, 100, 0}};
        float[] mean = {0.1f, 0.2f, 0.3f};
        float[] std = {0.5f, 0.25f, 0.125f};

        DataSet nchw = DataLoader.load(dir.resolve("set"), null, Preprocess.parse(norm + ",layout=NCHW"));
        DataSet nhwc = DataLoader.load(dir.resolve("set"), null, Preprocess.parse(norm + ",layout=nhwc"));
        assertArrayEquals(new long[] {2, 3, 2, 3}, nchw.shape("arr_0"));
        assertArrayEquals(new long[] {2, 2, 3, 3}, nhwc.shape("arr_0"));
        float[] a = nchw.input("arr_0").floats();
        float[] b = nhwc.input("arr_0").floats();
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                float want = (pixels[n][c] / 255f - mean[c]) / std[c];
                for (int i = 0; i < 6; i++) {
                    assertEquals(want, a[n * 18 + c * 6 + i], EPS);
                    assertEquals(want, b[n * 18 + i * 3 + c], EPS);
                }
            }
        }
        // channels=1 turns colour into ITU-R 601 luma.
        float[] luma = DataLoader.load(dir.resolve("set"), null, Preprocess.parse("channels=1")).input("arr_0").floats();
        assertEquals((0.299f * 10 + 0.587f * 20 + 0.114f * 30) / 255f, luma[0], 1e-5f);
        assertEquals((0.299f * 200 + 0.587f * 100) / 255f, luma[6], 1e-5f);
    }

    @Test
    void fashionMnistPngsGiveTheFixtureTensorAndItsPredictions() throws IOException {
        // The fixture holds (x/255 − 0.2860)/0.3530 of 8-bit images: invert it to PNGs, one folder per label.
        Path npz = TestModels.testdata().resolve("resnet_fmnist.npz");
        DataSet fixture = DataLoader.load(npz).slice(0, 24);
        float[] x = fixture.input("input").floats();
        long[] labels = fixture.labels().orElseThrow().longs();
        for (int n = 0; n < 24; n++) {
            int[][] px = new int[28][28];
            for (int i = 0; i < 784; i++) {
                px[i / 28][i % 28] = Math.round((x[n * 784 + i] * 0.3530f + 0.2860f) * 255);
            }
            gray(String.format("fmnist/%d/%03d.png", labels[n], n), px);
        }
        DataSet images = DataLoader.load(dir.resolve("fmnist"), null,
                Preprocess.parse("mean=0.2860,std=0.3530,layout=NCHW"));
        // Files are read class by class, so compare in that order.
        int[] order = java.util.stream.IntStream.range(0, 24).boxed()
                .sorted(java.util.Comparator.comparingLong((Integer n) -> labels[n]).thenComparingInt(n -> n))
                .mapToInt(Integer::intValue).toArray();
        DataSet expected = fixture.select(order);
        assertArrayEquals(expected.input("input").floats(), images.input("arr_0").floats(), 1e-5f);
        assertArrayEquals(expected.labels().orElseThrow().longs(), images.labels().orElseThrow().longs(),
                "folder names '0'..'9' sort to the label values");
        OnnxModel resnet = ModelIO.load(TestModels.testdata().resolve("resnet_fmnist.onnx"));
        try (OrtModel ort = OrtModel.open(resnet)) {
            Tensor fromPng = ort.run(images, 8).get("logits");
            Tensor fromNpz = ort.run(expected, 8).get("logits");
            assertArrayEquals(fromNpz.floats(), fromPng.floats(), 1e-4f);
        }
    }

    @Test
    void theCliAnnouncesClassIndicesAndValidatesOnAnImageFolder() throws Exception {
        // Folder names sort in label order, so accuracy on the PNGs must equal accuracy on the fixture.
        String[] names = {"0_tshirt", "1_trouser", "2_pullover", "3_dress", "4_coat", "5_sandal", "6_shirt",
                "7_sneaker", "8_bag", "9_boot"};
        Path npz = TestModels.testdata().resolve("resnet_fmnist.npz");
        DataSet fixture = DataLoader.load(npz).slice(0, 40);
        float[] x = fixture.input("input").floats();
        long[] labels = fixture.labels().orElseThrow().longs();
        for (int n = 0; n < 40; n++) {
            int[][] px = new int[28][28];
            for (int i = 0; i < 784; i++) {
                px[i / 28][i % 28] = Math.round((x[n * 784 + i] * 0.3530f + 0.2860f) * 255);
            }
            gray(String.format("classes/%s/%03d.png", names[(int) labels[n]], n), px);
        }
        Path resnet = TestModels.testdata().resolve("resnet_fmnist.onnx");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = ai.onnxhap.cli.CommandLineFactory.create(new java.io.PrintWriter(out), new java.io.PrintWriter(err))
                .execute("validate", resnet.toString(), resnet.toString(), "--data", dir.resolve("classes").toString(),
                        "--preprocess", "mean=0.2860,std=0.3530", "--warmup", "0", "--runs", "1", "--json");
        assertEquals(0, code, err.toString());
        assertEquals(10, java.util.Arrays.stream(labels).distinct().count(), "the fixture's first 40 hold every class");
        String mapping = java.util.stream.IntStream.range(0, 10).mapToObj(i -> names[i] + "=" + i)
                .collect(java.util.stream.Collectors.joining(", "));
        assertTrue(err.toString().contains(": 40 images, classes " + mapping), err.toString());
        var json = ai.onnxhap.provenance.Json.mapper().readTree(out.toString()).get("comparison");
        assertEquals(40, json.get("samples").asInt());
        double expected;
        try (OrtModel ort = OrtModel.open(ModelIO.load(resnet))) {
            float[] logits = ort.run(fixture, 16).get("logits").floats();
            int right = 0;
            for (int n = 0; n < 40; n++) {
                int best = 0;
                for (int c = 1; c < 10; c++) {
                    best = logits[n * 10 + c] > logits[n * 10 + best] ? c : best;
                }
                right += best == labels[n] ? 1 : 0;
            }
            expected = right / 40.0;
        }
        assertEquals(expected, json.get("referenceAccuracy").asDouble(), 1e-9);
    }

    @Test
    void badFoldersAndSpecsFailWithOneLine() throws IOException {
        gray("mixed/a/small.png", new int[][] {{1, 2}, {3, 4}});
        gray("mixed/b/large.png", new int[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
        assertTrue(usage(() -> DataLoader.load(dir.resolve("mixed"))).getMessage()
                .contains("images differ in size after preprocessing"));
        assertArrayEquals(new long[] {2, 1, 2, 2},
                DataLoader.load(dir.resolve("mixed"), null, Preprocess.parse("resize=2x2")).shape("arr_0"));
        assertTrue(usage(() -> DataLoader.load(dir.resolve("mixed"), null, Preprocess.parse("crop=3")))
                .getMessage().contains("crop 3x3 is larger than"));
        Files.writeString(dir.resolve("mixed/b/notes.txt"), "not an image");
        assertTrue(usage(() -> DataLoader.load(dir.resolve("mixed"))).getMessage()
                .endsWith("notes.txt is not an image the JDK can decode (PNG, JPEG, BMP, GIF)"));
        Files.createDirectories(dir.resolve("empty/a"));
        assertTrue(usage(() -> DataLoader.load(dir.resolve("empty"))).getMessage().contains("holds no images"));
        assertTrue(usage(() -> DataLoader.load(dir.resolve("mixed"), dir.resolve("y.npy"), null)).getMessage()
                .contains("whose sub-folders give the labels"));
        assertEquals("--preprocess 'mean=0.5,0.5,std=1,0.5,0.25': mean has 2 values and std 3",
                usage(() -> Preprocess.parse("mean=0.5,0.5,std=1,0.5,0.25")).getMessage());
        assertEquals("--preprocess 'crop=0': sizes must be positive, got '0'",
                usage(() -> Preprocess.parse("crop=0")).getMessage());
        assertEquals("--preprocess 'resize=2,resize=3': 'resize' is given twice",
                usage(() -> Preprocess.parse("resize=2,resize=3")).getMessage());
        assertEquals("--preprocess 'channels=2': channels must be 1 or 3, got 2",
                usage(() -> Preprocess.parse("channels=2")).getMessage());
    }
}
