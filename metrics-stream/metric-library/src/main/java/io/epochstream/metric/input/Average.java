package io.epochstream.metric.input;

import io.epochstream.metric.MetricParams;
import java.util.Locale;

/**
 * TorchMetrics' {@code average}: how per-class statistics become one value. One enum for every family
 * (stat scores, ranking, segmentation); each reads the values it accepts with {@link #read}.
 */
public enum Average {
  /** Every (sample, class) element pooled into one count (ranking: multilabel only). */
  MICRO,
  /** Mean over classes (ranking and segmentation leave NaN classes out). */
  MACRO,
  /** Mean weighted by support (positives per class). */
  WEIGHTED,
  /** One value per class, shape [C]; Python's None reads as this too. */
  NONE,
  /** A binary task's single value: never configured, what a binary task's average becomes. */
  BINARY;

  /** The value as a run line spells it. */
  public String paramValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The configured average: an explicit {@code null} (Python's None) is {@link #NONE}; otherwise one of
   * micro, macro, weighted and none, {@code defaultValue} when absent.
   */
  public static Average read(MetricParams p, Average defaultValue) {
    boolean none = p.explicitNull("average");
    Average configured = valueOf(p.string("average", defaultValue.paramValue(), "micro", "macro", "weighted", "none")
        .toUpperCase(Locale.ROOT));
    return none ? NONE : configured;
  }

  /**
   * {@link #read(MetricParams, Average)} for a classification task: like TorchMetrics' task wrappers a
   * binary task accepts an average and ignores it ({@link #BINARY}).
   */
  public static Average read(MetricParams p, Task task, Average defaultValue) {
    Average configured = read(p, defaultValue);
    return task == Task.BINARY ? BINARY : configured;
  }
}
