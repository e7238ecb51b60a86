package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every classification and regression vector of the published reference file passes through the
 * library: built from its config, updated with its data, computed, and compared within 1e-4.
 */
class ReferenceVectorsTest {
  static Stream<ReferenceVector> vectors() {
    return ReferenceVector.all().stream().filter(v -> v.metric() != null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void matchesTorchMetrics(ReferenceVector v) {
    Metric metric = MetricFactory.create(MetricParams.of(v.metric(), v.params()));
    metric.update(v.batch());
    MetricResult result = metric.compute();
    assertThat(result.shape()).as("shape").containsExactly(v.expectedShape());
    double[] expected = v.expectedValues();
    assertThat(result.values()).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      if (Double.isNaN(expected[i])) {
        assertThat(result.values()[i]).as("value %d", i).isNaN();
      } else {
        assertThat(result.values()[i]).as("value %d of %s", i, result).isCloseTo(expected[i], within(1e-4));
      }
    }
  }
}
