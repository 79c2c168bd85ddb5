/**
 * ONNX models as files: protobuf I/O, external data, tensor decoding and the product's error type.
 * Everything else builds on these types; this package depends on nothing but protobuf.
 */
package ai.onnxhap.model;
