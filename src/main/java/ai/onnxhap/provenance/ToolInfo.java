package ai.onnxhap.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The tool's version, as the build recorded it (Maven filters it into onnx-hap.properties). */
public final class ToolInfo {
    private static final String VERSION = load();

    private ToolInfo() {
    }

    public static String version() {
        return VERSION;
    }

    private static String load() {
        Properties p = new Properties();
        try (InputStream in = ToolInfo.class.getResourceAsStream("/onnx-hap.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
