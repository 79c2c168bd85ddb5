/**
 * Runs models in ONNX Runtime ({@link ai.onnxhap.validate.OrtModel}): exact intermediate shapes,
 * output comparison between a reference and a compressed model, accuracy and latency.
 */
package ai.onnxhap.validate;
