package ai.onnxhap.graph;

/**
 * Cost of one node for a given input shape. MACs count multiply-accumulates of Conv/Gemm/MatMul/RNN
 * ops; FLOPs are 2·MACs plus one per output element for bias, element-wise and reduction work.
 *
 * @param params parameters the node reads directly (floating-point initializers, counted once per graph)
 */
public record LayerCost(String node, String opType, long params, long macs, long flops, long[] outputShape) {
}
