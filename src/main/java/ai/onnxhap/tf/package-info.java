/**
 * The ONNX → TensorFlow importer: {@link ai.onnxhap.tf.TfModel} builds a TF graph (variables for the
 * weights, NCHW kept outside) from an ONNX model, one {@link ai.onnxhap.tf.OpHandler} per op (the {@code ops}
 * package), found in the {@link ai.onnxhap.tf.OpHandlers} registry by op type and opset.
 */
package ai.onnxhap.tf;
