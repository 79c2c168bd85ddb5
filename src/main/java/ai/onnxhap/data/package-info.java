/**
 * Input data for validation and calibration: {@link ai.onnxhap.data.DataSet} (sample-first tensors plus labels),
 * loaded from .npz/.npy files or ONNX test-data folders and bound to a model's real graph inputs.
 */
package ai.onnxhap.data;
