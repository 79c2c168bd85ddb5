/**
 * The compress pipeline: groups found, units scored, a plan made and applied, the result checked in ONNX
 * Runtime and stamped with its provenance; and check's pipeline (can this model be compressed?). The CLI's
 * compress and check commands are thin layers over this.
 */
package ai.onnxhap.compress;
