package io.epochstream.web;

import io.epochstream.schema.MetricSpec;
import java.util.regex.Pattern;

/**
 * Which way a metric improves, for the best epoch the page rings and the runs table ranks by: the
 * mode the run tracks it with ({@code best} on its run line) where it declares one, else lower for
 * losses, errors and distances (by the configured metric, or the name of a logged value such as
 * {@code loss}) and higher for everything else.
 */
final class MetricDirection {
  private static final Pattern LOWER = Pattern.compile("loss|error|distance|mse|mae", Pattern.CASE_INSENSITIVE);

  private MetricDirection() {}

  /** {@code spec}: the metric's configuration, null for a logged value; {@code trackedMode}: min, max or null. */
  static boolean lowerIsBetter(String name, MetricSpec spec, String trackedMode) {
    if (trackedMode != null) {
      return trackedMode.equals("min");
    }
    return LOWER.matcher(spec != null ? spec.getMetric() : name).find();
  }
}
