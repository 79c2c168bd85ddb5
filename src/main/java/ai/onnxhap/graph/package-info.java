/**
 * A read-only view of an ONNX graph for analysis: nodes in topological order, producers and consumers,
 * shape-chain constant folding, cost counting (inspect's pipeline) and exporter habits undone. Needs neither
 * ONNX Runtime nor TensorFlow.
 */
package ai.onnxhap.graph;
