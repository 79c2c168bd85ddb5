package ai.onnxhap.tf.train;

/** What the fine-tuning minimises, on one model output. */
public enum Loss {
    /** Softmax cross-entropy against integer class labels [N]. */
    CROSS_ENTROPY,
    /**
     * Distillation: cross-entropy of the student's tempered softmax against the teacher's, scaled by T² (equal to
     * the KL divergence up to the teacher's constant entropy). Targets are the teacher's logits [N, C].
     */
    DISTILLATION,
    /** Mean squared error against targets of the output's shape, for outputs that are not class scores. */
    MSE
}
