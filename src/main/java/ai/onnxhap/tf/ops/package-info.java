/**
 * One translation per ONNX op (or per family of ops that differ only in the TF function they call), plus
 * the few helpers they share: broadcasting, axes, conv/pool padding and layout, constants.
 */
package ai.onnxhap.tf.ops;
