/**
 * Input data for validation, calibration and training: {@link ai.onnxhap.data.DataSet} (sample-first arrays plus
 * labels; a .npy is memory-mapped and read a batch at a time), loaded from .npz/.npy files, ONNX test-data
 * folders or class-per-folder images ({@link ai.onnxhap.data.ImageFolder}), and bound to a model's real inputs.
 */
package ai.onnxhap.data;
