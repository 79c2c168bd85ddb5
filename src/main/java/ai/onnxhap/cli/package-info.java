/**
 * The onnx-hap command line: thin picocli commands over the library, and the one mapping of errors to exit codes.
 */
package ai.onnxhap.cli;
