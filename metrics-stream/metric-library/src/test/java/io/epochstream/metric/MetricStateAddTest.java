package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A batch's local sums added slot by slot into a fixed state. */
class MetricStateAddTest {
  @Test
  void addsEachDeltaToItsSlotAndLeavesTheRest() {
    MetricState s = MetricState.fixed("sums", 4, Reduction.SUM);
    s.add(new double[] {1, 2, 3, 4});
    s.add(new double[] {0.5, -2});
    assertThat(s.values()).containsExactly(1.5, 0, 3, 4);
  }
}
