/**
 * Pruning plans: which units of which groups go, as plain records that can be saved and replayed.
 * Needs neither ONNX Runtime nor TensorFlow.
 */
package ai.onnxhap.plan;
