package io.epochstream.metric.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.Batch;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-output target and residual sums that r2_score and explained_variance keep, on hand-worked values. */
class ResidualSumsTest {
  @Test
  void sumsEachColumnOfTwoOutputs() {
    // rows (t0, t1) / (p0, p1): (1, 10) / (0, 8), (3, 20) / (4, 20), (5, 30) / (5, 27)
    double[] t = {1, 10, 3, 20, 5, 30};
    double[] p = {0, 8, 4, 20, 5, 27};
    ResidualSums s = ResidualSums.of(new Batch(3, null, p, new int[] {3, 2}, t, new int[] {3, 2}, Map.of()), 2);
    assertThat(s.rows()).isEqualTo(3);
    assertThat(s.residual()).containsExactly(1 - 1 + 0, 2 + 0 + 3);
    assertThat(s.squaredResidual()).containsExactly(1 + 1 + 0, 4 + 0 + 9);
    assertThat(s.target()).containsExactly(9, 60);
    assertThat(s.squaredTarget()).containsExactly(1 + 9 + 25, 100 + 400 + 900);
  }

  @Test
  void oneOutputTakesAFlatVector() {
    ResidualSums s = ResidualSums.of(new Batch(2, null, new double[] {2, 2}, new int[] {2}, new double[] {1, 4},
        new int[] {2}, Map.of()), 1);
    assertThat(s.rows()).isEqualTo(2);
    assertThat(s.residual()).containsExactly(1);
    assertThat(s.squaredResidual()).containsExactly(5);
  }

  @Test
  void columnsOtherThanTheOutputsAreRefused() {
    Batch b = new Batch(2, null, new double[4], new int[] {2, 2}, new double[4], new int[] {2, 2}, Map.of());
    assertThatThrownBy(() -> ResidualSums.of(b, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[N, 3]");
  }
}
