package ai.onnxhap.cli;

import ai.onnxhap.provenance.ToolInfo;
import picocli.CommandLine;

/** --version: the tool's and the Java runtime's. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"onnx-hap " + ToolInfo.version(), "Java " + System.getProperty("java.version")};
    }
}
