/**
 * DARB: per-weight sparsity layouts of large weight matrices (density-adaptive block sizes, block-max weight
 * masking, and the fixed-block, row-balanced and irregular baselines) with their index costs. Pure Java.
 */
package ai.onnxhap.plan.sparse;
