package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference vectors that cut their rows into ranks and uneven batches ({@code splits}): each
 * rank folds its batches on its own, the ranks' states are merged in a shuffled order (half of them
 * after a write and read, as a trainer's published state travels), and the merged value equals
 * TorchMetrics' value on the whole data, within the file's tolerance (relative, and absolute near 0:
 * TorchMetrics computes in float32, the library in double).
 */
class ReferenceSplitsTest {
  static Stream<ReferenceVector> vectors() {
    return ReferenceVector.all().stream().filter(v -> v.metric() != null && v.splits() != null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void ranksFoldedApartAndMergedEqualTorchMetricsOnTheWhole(ReferenceVector v) throws IOException {
    MetricParams params = MetricParams.of(v.metric(), v.params());
    Random order = new Random(v.index());
    List<Metric> ranks = new ArrayList<>();
    int row = 0;
    for (JsonNode rank : v.splits()) {
      Metric m = MetricFactory.create(params);
      for (JsonNode batch : rank) {
        m.update(v.batch(row, row + batch.asInt()));
        row += batch.asInt();
      }
      ranks.add(order.nextBoolean() ? copy(params, m) : m);
    }
    assertThat(row).as("splits cover every row").isEqualTo(v.preds().size());
    assertThat(ranks).hasSizeBetween(2, 3);
    Collections.shuffle(ranks, order);
    Metric merged = MetricFactory.create(params);
    ranks.forEach(merged::merge);
    MetricResult result = merged.compute();

    assertThat(result.shape()).as("shape").containsExactly(v.expectedShape());
    double[] expected = v.expectedValues();
    double[] actual = result.values();
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      if (Double.isNaN(expected[i])) {
        assertThat(actual[i]).as("value %d of %s", i, result).isNaN();
      } else {
        double allowed = v.tolerance() * Math.max(1, Math.abs(expected[i]));
        assertThat(Math.abs(actual[i] - expected[i])).as("value %d of %s: %s vs %s", i, result, actual[i], expected[i])
            .isLessThanOrEqualTo(allowed);
      }
    }
  }

  private static Metric copy(MetricParams params, Metric m) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.write(new DataOutputStream(out));
    Metric fresh = MetricFactory.create(params);
    fresh.read(new DataInputStream(new ByteArrayInputStream(out.toByteArray())));
    return fresh;
  }
}
