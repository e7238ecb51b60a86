package io.epochstream.metric.tracking;

import java.util.Locale;

/**
 * Lightning's {@code EarlyStopping(monitor, mode, patience, min_delta, check_finite=True)} over a
 * stage's epoch values: an epoch improves when it beats the best by more than {@code min_delta}
 * (lower for min, higher for max); after {@code patience} epochs in a row without improvement, or
 * at a non-finite value, training should stop.
 */
public final class EarlyStopRule {
  /** What the rule has seen: the best value, its epoch, and epochs since it last improved. */
  public record State(double best, int bestEpoch, int waited) {
    public static final State NONE = new State(Double.NaN, -1, 0);
  }

  private final MetricTracker.Mode mode;
  private final int patience;
  private final double minDelta;
  private State state;

  public EarlyStopRule(MetricTracker.Mode mode, int patience, double minDelta, State state) {
    if (patience < 1) {
      throw new IllegalArgumentException("patience must be at least 1");
    }
    this.mode = mode;
    this.patience = patience;
    this.minDelta = Math.abs(minDelta);
    this.state = state;
  }

  /** Records an epoch's monitored value; returns why training should stop, or null to go on. */
  public String record(int epoch, double value, String monitor) {
    if (!Double.isFinite(value)) {
      return String.format(Locale.ROOT, "monitored metric %s = %s is not finite; previous best %s", monitor, value, state.best());
    }
    boolean improved = state.bestEpoch() < 0
        || (mode == MetricTracker.Mode.MIN ? value < state.best() - minDelta : value > state.best() + minDelta);
    state = improved ? new State(value, epoch, 0) : new State(state.best(), state.bestEpoch(), state.waited() + 1);
    if (state.waited() >= patience) {
      return String.format(Locale.ROOT, "monitored metric %s did not improve in the last %d epochs; best %s at epoch %d",
          monitor, state.waited(), state.best(), state.bestEpoch());
    }
    return null;
  }

  public State state() {
    return state;
  }
}
