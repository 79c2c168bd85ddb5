package ai.onnxhap.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The speed gate times both models side by side in ONNX Runtime and refuses a compressed model that runs slower.
 * The models differ 32-fold in MACs (a hidden width of 64 against 2,048), far beyond timing noise.
 */
class SpeedGateTest {
    private static final OnnxModel NARROW = TestModels.mlp(-1, 256, 64, 10, 1);
    private static final OnnxModel WIDE = TestModels.mlp(-1, 256, 2048, 10, 1);
    private static final Map<String, long[]> SHAPES = Map.of("x", new long[] {32, 256});
    private static final OrtModel.Options ONE_THREAD = OrtModel.Options.defaults().withThreads(1);

    @Test
    void aSlowerModelMissesTheDefaultTargetAndAFasterOnePassesIt() {
        SpeedGate slower = SpeedGate.run(NARROW, WIDE, SHAPES, ONE_THREAD, null);
        assertTrue(slower.speed().speedup() < 0.5, "speed-up " + slower.speed().speedup());
        assertEquals(SpeedGate.NOT_SLOWER, slower.minSpeedup());
        assertFalse(slower.asked());
        assertFalse(slower.passed());

        SpeedGate faster = SpeedGate.run(WIDE, NARROW, SHAPES, ONE_THREAD, null);
        assertTrue(faster.speed().speedup() > 2, "speed-up " + faster.speed().speedup());
        assertTrue(faster.passed());
        assertEquals(32, faster.speed().batchSize());
        assertTrue(faster.speed().runs() >= 12, "runs " + faster.speed().runs());
    }

    @Test
    void anAskedTargetIsHeldToAndZeroTurnsTheGateOff() {
        SpeedGate unreachable = SpeedGate.run(WIDE, NARROW, SHAPES, ONE_THREAD, 1000.0);
        assertTrue(unreachable.asked());
        assertFalse(unreachable.passed());
        assertTrue(SpeedGate.run(NARROW, WIDE, SHAPES, ONE_THREAD, 0.0).passed());
    }
}
