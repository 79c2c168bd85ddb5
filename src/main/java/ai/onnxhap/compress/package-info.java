/**
 * The compress pipeline: groups found, units scored, a plan made and applied, the result checked in ONNX
 * Runtime and stamped with its provenance. The CLI's compress command is a thin layer over this.
 */
package ai.onnxhap.compress;
