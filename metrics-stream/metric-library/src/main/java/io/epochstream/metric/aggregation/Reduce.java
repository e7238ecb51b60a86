package io.epochstream.metric.aggregation;

import java.util.Locale;

/** Lightning's {@code reduce_fx} for a logged scalar; {@code MEAN} is weighted by batch size. */
public enum Reduce {
  MEAN, SUM, MAX, MIN;

  public static Reduce of(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reduce_fx must be mean, sum, max or min, not '" + name + "'");
    }
  }
}
