package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Whole epochs against TorchMetrics 1.9: each case of {@code reference/epoch-*.json} (written by
 * {@code make_epoch_vectors.py} with real TorchMetrics) is an epoch cut into ranks and, per rank,
 * uneven batches. Each rank folds its batches in order (one update each, as TorchMetrics did), its
 * state goes through the binary form, and the ranks merge in rank order; the value must be
 * TorchMetrics' after DDP's synchronisation of the same ranks, within the case's tolerance (the
 * file says why: float32 for masks and class counts, float64 for regression).
 */
class EpochReferenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> segmentationEpochsEqualTorchMetrics() throws IOException {
    return cases("epoch-segmentation.json", 60);
  }

  @TestFactory
  Stream<DynamicTest> regressionEpochsEqualTorchMetrics() throws IOException {
    return cases("epoch-regression.json", 40);
  }

  @TestFactory
  Stream<DynamicTest> classificationWithExtraDimensionsEqualsTorchMetrics() throws IOException {
    return cases("epoch-classification-extra-dims.json", 80);
  }

  private static Stream<DynamicTest> cases(String file, int atLeast) throws IOException {
    JsonNode root;
    try (InputStream in = EpochReferenceTest.class.getResourceAsStream("/reference/" + file)) {
      root = JSON.readTree(in);
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(atLeast);
    return tests.stream();
  }

  private static void check(JsonNode c) throws IOException {
    MetricParams params = MetricParams.of(c.get("metric").asText(), JSON.convertValue(c.get("params"), Map.class));
    Metric merged = MetricFactory.create(params);
    for (JsonNode rank : c.get("ranks")) {
      Metric folded = MetricFactory.create(params);
      for (JsonNode batch : rank) {
        folded.update(batch(batch));
      }
      merged.merge(throughWire(folded, params));
    }
    MetricResult result = merged.compute();
    double[] want = ReferenceVector.flatten(c.get("expected"));
    int[] shape = c.get("expected").isArray() ? ReferenceVector.shape(c.get("expected")) : new int[0];
    String what = c.get("torchmetrics").asText();
    assertThat(result.shape()).as("%s: shape", what).containsExactly(shape);
    double tolerance = c.get("tolerance").asDouble();
    for (int i = 0; i < want.length; i++) {
      if (Double.isNaN(want[i])) {
        assertThat(result.values()[i]).as("%s [%d]", what, i).isNaN();
      } else {
        assertThat(result.values()[i]).as("%s [%d] (%s)", what, i, c.get("why").asText())
            .isCloseTo(want[i], within(tolerance * Math.max(1, Math.abs(want[i]))));
      }
    }
  }

  private static Batch batch(JsonNode b) {
    JsonNode p = b.get("preds");
    JsonNode t = b.get("target");
    int[] ps = ReferenceVector.shape(p.get("values"));
    return new Batch(ps[0], null, ReferenceVector.flatten(p.get("values")), ps, ReferenceVector.flatten(t.get("values")),
        ReferenceVector.shape(t.get("values")), Map.of(), integral(p), integral(t));
  }

  private static boolean integral(JsonNode tensor) {
    return !tensor.get("dtype").asText().startsWith("float");
  }

  private static Metric throughWire(Metric m, MetricParams params) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    m.write(new DataOutputStream(bytes));
    Metric copy = MetricFactory.create(params);
    copy.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    return copy;
  }
}
