/**
 * Gradients that TensorFlow's C++ registry lacks, registered from Java once per process: mostly the gradients
 * of gradient ops (ReluGrad, Conv2DBackpropFilter, ...), which exact Hessian-vector products by double
 * back-propagation differentiate. One class per op, listed in the {@link ai.onnxhap.tf.grad.SecondOrderGradients}
 * registry.
 */
package ai.onnxhap.tf.grad;
