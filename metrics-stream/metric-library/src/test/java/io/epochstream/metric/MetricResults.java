package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Percentage;

/** Comparing two computations of the same metric that summed in different orders. */
final class MetricResults {
  private MetricResults() {}

  /**
   * Same shape, NaN where expected is NaN, otherwise equal up to the last bits of a floating sum
   * (counts are exact either way).
   */
  static void assertSame(String what, MetricResult actual, MetricResult expected) {
    assertThat(actual.shape()).as(what + " shape").containsExactly(expected.shape());
    double[] e = expected.values();
    double[] a = actual.values();
    assertThat(a).as(what).hasSameSizeAs(e);
    for (int i = 0; i < e.length; i++) {
      if (Double.isNaN(e[i])) {
        assertThat(a[i]).as(what + "[" + i + "]").isNaN();
      } else if (e[i] == 0 || Double.isInfinite(e[i])) {
        assertThat(a[i]).as(what + "[" + i + "]").isEqualTo(e[i]);
      } else {
        assertThat(a[i]).as(what + "[" + i + "]").isCloseTo(e[i], Percentage.withPercentage(1e-10));
      }
    }
  }
}
