/**
 * Fine-tuning on the TensorFlow graph: losses (cross-entropy, distillation, MSE), SGD with momentum and Adam,
 * learning-rate schedules, weight masks that keep pruned entries at exactly zero, frozen parameters.
 */
package ai.onnxhap.tf.train;
