package io.epochstream.metric.aggregation;

/**
 * TorchMetrics' {@code nan_strategy} of the aggregation metrics: what a NaN value (or weight) does.
 * {@code WARN} (TorchMetrics' default) and {@code IGNORE} drop it — we count dropped values either
 * way; {@code ERROR} rejects the batch; {@code DISABLE} lets it through (the result becomes NaN);
 * {@link #replaceWith} substitutes a number.
 */
public record NanStrategy(Mode mode, double replacement) {
  public enum Mode { ERROR, WARN, IGNORE, DISABLE, REPLACE }

  public static final NanStrategy WARN = new NanStrategy(Mode.WARN, Double.NaN);

  public static NanStrategy replaceWith(double value) {
    return new NanStrategy(Mode.REPLACE, value);
  }

  public static NanStrategy of(String name) {
    return switch (name) {
      case "error" -> new NanStrategy(Mode.ERROR, Double.NaN);
      case "warn" -> WARN;
      case "ignore" -> new NanStrategy(Mode.IGNORE, Double.NaN);
      case "disable" -> new NanStrategy(Mode.DISABLE, Double.NaN);
      default -> throw new IllegalArgumentException("nan_strategy must be error, warn, ignore, disable or a number, not '" + name + "'");
    };
  }
}
