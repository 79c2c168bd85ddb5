package ai.onnxhap.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxhap.model.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rows of one set found in another, by their values. */
class OverlapTest {
    private static DataSet rows(float... firstValues) {
        float[] v = new float[firstValues.length * 3];
        for (int r = 0; r < firstValues.length; r++) {
            v[3 * r] = firstValues[r];
            v[3 * r + 1] = r % 2; // the other columns repeat, so only the first tells rows apart
            v[3 * r + 2] = 7;
        }
        return DataSet.of(Map.of("x", Tensor.ofFloats("x", new long[] {firstValues.length, 3}, v)));
    }

    @Test
    void countsTheRowsOfOneSetThatAreInTheOther() {
        DataSet train = rows(1, 2, 3, 4, 5, 6);
        assertEquals(0, Overlap.count(rows(10, 11), train));
        assertEquals(6, Overlap.count(train.shuffled(3), train));
        assertEquals(2, Overlap.count(train.slice(1, 3), train));
        // same first value, other second column: another row
        DataSet shifted = rows(0, 2, 3); // rows 0..2 get r % 2 = 0, 1, 0; train's row with 2 has 1, with 3 has 0
        assertEquals(2, Overlap.count(shifted, train));
        // other inputs are other rows
        DataSet renamed = DataSet.of(Map.of("y", train.input("x").withName("y")));
        assertEquals(0, Overlap.count(renamed, train));
    }
}
