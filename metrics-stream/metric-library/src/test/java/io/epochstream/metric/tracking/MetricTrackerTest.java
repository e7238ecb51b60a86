package io.epochstream.metric.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochstream.metric.ReferenceVector;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricTrackerTest {
  private static ReferenceVector vector(String paramsContain) {
    return ReferenceVector.all().stream()
        .filter(v -> v.className().equals("MetricTracker.best_metric") && v.params().toString().contains(paramsContain))
        .findFirst().orElseThrow();
  }

  @Test
  void bestOfOneMaximizedMetric() {
    ReferenceVector v = vector("maximize=true");
    MetricTracker t = new MetricTracker(MetricTracker.Mode.MAX);
    int epoch = 0;
    for (Object value : (java.util.List<?>) v.params().get("compute_all")) {
      t.record(epoch++, ((Number) value).doubleValue());
    }
    assertThat(t.best()).isEqualTo(new MetricTracker.Best(v.expected().get("best").asDouble(), v.expected().get("step").asInt()));
  }

  @Test
  void minimizeAndMaximizePerMetric() {
    ReferenceVector v = vector("MeanSquaredError");
    @SuppressWarnings("unchecked")
    Map<String, java.util.List<Number>> all = (Map<String, java.util.List<Number>>) v.params().get("compute_all");
    Map<String, MetricTracker.Mode> modes = Map.of("MeanSquaredError", MetricTracker.Mode.MIN, "ExplainedVariance", MetricTracker.Mode.MAX);
    for (Iterator<String> it = v.expected().get("best").fieldNames(); it.hasNext(); ) {
      String name = it.next();
      MetricTracker t = new MetricTracker(modes.get(name));
      for (int e = 0; e < all.get(name).size(); e++) {
        t.record(e, all.get(name).get(e).doubleValue());
      }
      JsonNode expected = v.expected();
      assertThat(t.best().value()).isEqualTo(expected.get("best").get(name).asDouble());
      assertThat(t.best().epoch()).isEqualTo(expected.get("step").get(name).asInt());
    }
  }

  @Test
  void nanNeverWinsAndTiesKeepTheFirstEpoch() {
    MetricTracker t = new MetricTracker(MetricTracker.Mode.MAX);
    assertThat(t.best().epoch()).isEqualTo(-1);
    t.record(0, Double.NaN);
    t.record(1, 0.5);
    t.record(2, 0.5);
    t.record(3, Double.NaN);
    assertThat(t.best()).isEqualTo(new MetricTracker.Best(0.5, 1));
  }
}
