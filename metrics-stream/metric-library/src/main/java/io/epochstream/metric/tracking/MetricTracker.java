package io.epochstream.metric.tracking;

import java.util.Locale;

/**
 * Best-so-far of one metric across epochs, TorchMetrics' {@code MetricTracker.best_metric}: with
 * mode max (maximize) the highest value wins, with min the lowest; the first epoch that reached
 * the best keeps it on ties. NaN values never become the best.
 */
public final class MetricTracker {
  public enum Mode {
    MIN, MAX;

    public static Mode of(String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "min" -> MIN;
        case "max" -> MAX;
        default -> throw new IllegalArgumentException("mode must be min or max, not '" + name + "'");
      };
    }
  }

  /** The best value and the epoch (TorchMetrics: step) it came from; epoch -1 before any value. */
  public record Best(double value, int epoch) {}

  private final Mode mode;
  private double best = Double.NaN;
  private int bestEpoch = -1;

  public MetricTracker(Mode mode) {
    this.mode = mode;
  }

  /** A tracker that continues from a best recorded earlier (epoch -1: none yet). */
  public MetricTracker(Mode mode, Best resumeFrom) {
    this.mode = mode;
    this.best = resumeFrom.value();
    this.bestEpoch = resumeFrom.epoch();
  }

  /** Records an epoch's value; returns whether it is the new best. */
  public boolean record(int epoch, double value) {
    if (Double.isNaN(value)) {
      return false;
    }
    boolean better = bestEpoch < 0 || (mode == Mode.MAX ? value > best : value < best);
    if (better) {
      best = value;
      bestEpoch = epoch;
    }
    return better;
  }

  public Best best() {
    return new Best(best, bestEpoch);
  }
}
