/**
 * Importance of prunable units: data-free criteria (weight magnitude, random) now, Hessian-trace sensitivity
 * with the TensorFlow backend. One strategy interface: a group goes in, one score per unit comes out.
 */
package ai.onnxhap.score;
