package ai.onnxhap.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.compress.DarbOptions;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.plan.sparse.SparsityPattern;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** --ratio is parsed once, both ways, each form exact as written. */
class RatioTest {
    @Test
    void bothFormsReadBothWays() {
        Ratio keep = Ratio.parse("16x");
        assertEquals(16, keep.keepOneIn());
        assertEquals(0.9375, keep.removed());
        assertEquals("16x", keep.toString());
        assertEquals(16, Ratio.parse("0.9375").keepOneIn(), 1e-12);
        assertEquals(1 / (1 - 0.94), Ratio.parse(" 0.94 ").keepOneIn()); // the same arithmetic as before the type
        assertEquals(0.5, Ratio.parse("0.5").removed());
        assertEquals(0, Ratio.parse("0").removed());
        assertEquals(0, Ratio.parse("1X").removed()); // keeps everything: valid for HAP, refused by DARB below
    }

    @Test
    void anythingElseIsOneUsageLineNamingBothForms() {
        for (String bad : new String[] {"1", "1.5", "-0.1", "NaN", "abc", "0.5x", "-3x", "16", "Infinityx", ""}) {
            OnnxHapException e = assertThrows(OnnxHapException.class, () -> Ratio.parse(bad), bad);
            assertEquals(ErrorCode.USAGE, e.code());
            assertTrue(e.getMessage().contains("fraction to remove in [0, 1)") && e.getMessage().contains("16x"),
                    e.getMessage());
        }
    }

    @Test
    void eachMethodTakesTheRatioItsWayAndDefaultsWhenNoneIsGiven() {
        assertEquals(0.9375, PlanOptions.of(Ratio.parse("16x"), null, 0.9, Set.of(), 1, PlanOptions.Ranking.SCORE,
                false).ratio());
        assertEquals(0.5, PlanOptions.of(null, null, 0.9, Set.of(), 1, PlanOptions.Ranking.SCORE, false).ratio());
        PlanOptions macs = PlanOptions.of(Ratio.parse("0.2"), 0.3, 0.9, Set.of(), 1, PlanOptions.Ranking.SCORE, false);
        assertEquals(0.3, macs.ratio());
        assertEquals(PlanOptions.Budget.MACS, macs.budget());
        assertEquals(16, DarbOptions.of(null, SparsityPattern.DARB, null, 1, 1, Set.of(), false, null, 0).ratio());
        assertEquals(8, DarbOptions.of(Ratio.parse("0.875"), SparsityPattern.DARB, "l1", 1, 1, Set.of(), false, null,
                0).ratio(), 1e-12);
        for (String keepsAll : new String[] {"1x", "0"}) {
            OnnxHapException e = assertThrows(OnnxHapException.class, () -> DarbOptions.of(Ratio.parse(keepsAll),
                    SparsityPattern.DARB, null, 1, 1, Set.of(), false, null, 0));
            assertTrue(e.getMessage().contains("must remove weights"), e.getMessage());
        }
    }
}
