package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (= NLL of LogSoftmax over axis 1). Targets pick
 * their class by a one-hot product (no gather with batch axes needed); ignore_index targets weigh zero;
 * reduction none, sum, or mean (weighted by the class weights of the counted targets).
 */
public final class LossHandler implements OpHandler {
    private final boolean softmax;

    private LossHandler(boolean softmax) {
        this.softmax = softmax;
    }

    public static LossHandler negativeLogLikelihood() {
        return new LossHandler(false);
    }

    public static LossHandler softmaxCrossEntropy() {
        return new LossHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        int r = ctx.rank(0);
        long classes = ctx.shape(0)[1];
        if (classes < 0) {
            throw ctx.unsupported("the class axis must be static");
        }
        Operand<?> logProb = null;
        if (softmax) {
            int[] toLast = TfOps.moveToEnd(r, 1);
            logProb = TfOps.transpose(tf, tf.nn.logSoftmax(num(TfOps.transpose(tf, x, toLast))), TfOps.inverse(toLast));
            x = logProb;
        }
        Operand<TInt64> target = tf.dtypes.cast(ctx.input(1), TInt64.class);
        Operand<TBool> counted = tf.fill(tf.shape(target), tf.constant(true));
        Operand<TInt64> safe = target;
        if (ctx.node().hasAttribute("ignore_index")) {
            Operand<TInt64> ignore = tf.constant(ctx.node().attrInt("ignore_index", 0));
            counted = tf.math.notEqual(target, ignore);
            safe = tf.select(counted, target, tf.zerosLike(target));
        }
        // [N, d.., C] one-hot of the targets, against x moved to channels-last.
        int[] toLast = TfOps.moveToEnd(r, 1);
        Operand<?> xl = TfOps.transpose(tf, x, toLast);
        Operand<?> oneHot = tf.oneHot(safe, tf.constant((int) classes), any(TfOps.scalarLike(tf, 1, x)),
                any(TfOps.scalarLike(tf, 0, x)));
        Operand<?> picked = tf.reduceSum(any(tf.math.mul(num(xl), num(oneHot))), tf.constant(-1));
        Operand<?> weight = ctx.hasInput(2) ? tf.gather(any(ctx.input(2)), safe, tf.constant(0))
                : tf.onesLike(any(picked));
        weight = tf.math.mul(num(weight), num(TfOps.cast(tf, counted, weight.type())));
        Operand<?> loss = tf.math.neg(num(tf.math.mul(num(picked), num(weight))));
        Operand<TInt32> all = tf.range(tf.constant(0), tf.rank(any(loss)), tf.constant(1));
        String reduction = ctx.node().attrString("reduction", "mean");
        loss = switch (reduction) {
            case "none" -> loss;
            case "sum" -> tf.reduceSum(any(loss), all, ReduceSum.keepDims(false));
            case "mean" -> tf.math.div(num(tf.reduceSum(any(loss), all)), num(tf.reduceSum(any(weight), all)));
            default -> throw ctx.unsupported("unknown reduction '" + reduction + "'");
        };
        List<Operand<?>> outs = new ArrayList<>();
        outs.add(loss);
        if (logProb != null) {
            outs.add(logProb);
        }
        return outs;
    }
}
