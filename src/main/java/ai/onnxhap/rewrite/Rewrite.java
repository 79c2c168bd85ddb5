package ai.onnxhap.rewrite;

import ai.onnxhap.model.OnnxModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one entry point of graph surgery for structured pruning: cut each group's removed units, split the producers
 * of implanted units into kept part + implant ({@link ChannelImplant}), then replace whole nodes by low-rank pairs
 * ({@link LowRankImplant}); and say what was inserted, so later steps (implant fitting, the report) address the new
 * nodes by what this returns, never by their names' shape.
 */
public final class Rewrite {
    private Rewrite() {
    }

    /**
     * @param decisions     per group, the units removed and implanted
     * @param shapes        static shapes of the original model's values (those the groups were found with)
     * @param style         how implanted units are computed
     * @param lowRankBudget a low-rank implant's parameters as a fraction of the weight it replaces, when no rank is
     *                      given (channel implants always take it from the budget)
     * @param nodeImplants  whole Conv/Gemm/MatMul nodes to replace by a low-rank pair: node → rank (0: from the budget)
     */
    public record Request(List<ChannelImplant.Decision> decisions, Map<String, long[]> shapes,
                          ChannelImplant.Style style, double lowRankBudget, Map<String, Integer> nodeImplants) {
        public Request {
            decisions = List.copyOf(decisions);
            nodeImplants = new TreeMap<>(nodeImplants); // one order every run, whatever map the caller built
        }
    }

    /**
     * @param channelImplants the implants of groups' units, with what a least-squares fit of each needs
     * @param nodeImplants    the whole-node low-rank pairs, in node-name order
     * @param replacedBy      per original weight or bias that a split removed, the initializers that took its place
     */
    public record Result(OnnxModel model, List<ChannelImplant.Implant> channelImplants,
                         List<LowRankImplant.Result> nodeImplants, Map<String, List<String>> replacedBy) {
    }

    public static Result apply(OnnxModel model, Request request) {
        ChannelImplant.Result cut = ChannelImplant.apply(model, request.decisions(), request.shapes(),
                request.style(), request.lowRankBudget());
        OnnxModel current = cut.model();
        List<LowRankImplant.Result> pairs = new ArrayList<>();
        for (Map.Entry<String, Integer> e : request.nodeImplants().entrySet()) {
            int rank = e.getValue() > 0 ? e.getValue()
                    : LowRankImplant.rankForBudget(current, e.getKey(), request.lowRankBudget());
            LowRankImplant.Result r = LowRankImplant.implant(current, e.getKey(), rank);
            pairs.add(r);
            current = r.model();
        }
        return new Result(current, cut.implants(), List.copyOf(pairs), cut.replacedBy());
    }
}
