/**
 * Graph surgery: physical removal of pruned units (weights sliced, shape literals and attributes rewritten)
 * and low-rank implants. Needs neither ONNX Runtime nor TensorFlow.
 */
package ai.onnxhap.rewrite;
