/**
 * Dependency groups for structured pruning: which slices of which tensors must go together when a channel,
 * head or neuron is removed, found by spreading a cut through per-op rules (the {@code rules} package).
 */
package ai.onnxhap.graph.deps;
