package ai.onnxhap.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The 95% intervals against their closed forms. */
class IntervalsTest {
    @Test
    void wilsonForAccuraciesAndPairedDifferenceForTheDrop() {
        // n = 100, original right on 90, compressed on 85; 7 only the original got right, 2 only the compressed.
        Intervals i = Intervals.of(100, 90, 85, 7, 2);
        // Wilson, z = 1.96: p = 0.9 -> [0.8256, 0.9448]; p = 0.85 -> [0.7672, 0.9069]
        assertEquals(0.8256, i.referenceLow(), 1e-4);
        assertEquals(0.9448, i.referenceHigh(), 1e-4);
        assertEquals(0.7672, i.candidateLow(), 1e-4);
        assertEquals(0.9069, i.candidateHigh(), 1e-4);
        // d = 0.05, var = (0.09 - 0.0025) / 100 -> half width 1.96 * 0.02958 = 0.05798: [-0.80, 10.80] points
        assertEquals(5 - 5.798, i.dropLow(), 1e-2);
        assertEquals(5 + 5.798, i.dropHigh(), 1e-2);
        assertEquals(5.798, i.dropHalfWidth(), 1e-2);
    }

    @Test
    void modelsThatAgreeEverywhereHaveAZeroWidthDrop() {
        Intervals i = Intervals.of(2000, 1700, 1700, 0, 0);
        assertEquals(0, i.dropLow(), 1e-12);
        assertEquals(0, i.dropHigh(), 1e-12);
    }
}
