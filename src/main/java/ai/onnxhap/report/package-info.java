/**
 * Renders what the stages return, for people and machines: text tables, JSON, plots and progress bars. It
 * computes nothing; only the CLI reads it.
 */
package ai.onnxhap.report;
