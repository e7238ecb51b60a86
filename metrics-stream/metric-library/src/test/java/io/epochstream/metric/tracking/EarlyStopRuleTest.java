package io.epochstream.metric.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Lightning's EarlyStopping rule, epoch by epoch. */
class EarlyStopRuleTest {
  @Test
  void stopsAfterPatienceEpochsWithoutImprovementBeyondMinDelta() {
    EarlyStopRule rule = new EarlyStopRule(MetricTracker.Mode.MIN, 2, 0.05, EarlyStopRule.State.NONE);
    assertThat(rule.record(0, 1.00, "loss")).isNull();
    assertThat(rule.record(1, 0.90, "loss")).isNull();  // improved by 0.10
    assertThat(rule.record(2, 0.87, "loss")).isNull();  // 0.03 < min_delta: wait 1
    assertThat(rule.state()).isEqualTo(new EarlyStopRule.State(0.90, 1, 1));
    assertThat(rule.record(3, 0.86, "loss")).contains("did not improve in the last 2 epochs").contains("epoch 1");
  }

  @Test
  void maxModeAndResumingFromAStoredState() {
    EarlyStopRule rule = new EarlyStopRule(MetricTracker.Mode.MAX, 3, 0.0, new EarlyStopRule.State(0.8, 4, 2));
    assertThat(rule.record(7, 0.81, "acc")).isNull();
    assertThat(rule.state()).isEqualTo(new EarlyStopRule.State(0.81, 7, 0));
  }

  @Test
  void aNonFiniteValueStopsAtOnce() {
    EarlyStopRule rule = new EarlyStopRule(MetricTracker.Mode.MIN, 5, 0, EarlyStopRule.State.NONE);
    rule.record(0, 1.0, "loss");
    assertThat(rule.record(1, Double.NaN, "loss")).contains("not finite");
  }
}
