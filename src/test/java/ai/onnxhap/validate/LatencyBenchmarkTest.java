package ai.onnxhap.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Only the bookkeeping is checked: timings on a shared machine are not assertable. */
class LatencyBenchmarkTest {

    @Test
    void reportIsPositiveAndOrdered() {
        OrtModel.Options options = OrtModel.Options.defaults().withThreads(1);
        DataSet data = DataSet.random(TestModels.imageModel(), 20, 3, Map.of());
        try (OrtModel ort = OrtModel.open(TestModels.imageModel(), options)) {
            LatencyReport r = LatencyBenchmark.measure(ort, data, 8, 3, 21);
            assertEquals(8, r.batchSize());
            assertEquals(1, r.threads());
            assertEquals("cpu", r.device());
            assertEquals(3, r.warmupRuns());
            assertEquals(21, r.timedRuns());
            assertTrue(r.minMs() > 0, r.toString());
            assertTrue(r.minMs() <= r.medianMs() && r.medianMs() <= r.p90Ms() && r.p90Ms() <= r.maxMs(), r.toString());
            assertTrue(r.minMs() <= r.meanMs() && r.meanMs() <= r.maxMs(), r.toString());

            LatencyReport one = LatencyBenchmark.measure(ort, data, 100, 0, 1);
            assertEquals(20, one.batchSize(), "capped at the data size");
            assertEquals(one.minMs(), one.p90Ms());
            assertThrows(IllegalArgumentException.class, () -> LatencyBenchmark.measure(ort, data, 8, 0, 0));
        }
    }
}
