package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.epochstream.event.Keys;
import io.epochstream.event.Tensors;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.ParamValue;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metric parameters as the stream app reads them: a run announced by an older writer (parameters
 * as JSON text, the StepEvent-4 schema from the history, built here without the product's writer)
 * folds to the same summary as the same run announced with typed parameters; a parameter that
 * cannot be read is a dead letter with its reason, and the app goes on.
 */
class MetricParamsOnTheWireTest {
  private static final Topics TOPICS = Topics.defaults();
  // Binary scores and targets; the expected figures are TorchMetrics 1.9's for these tensors
  // (BinaryAccuracy(threshold=0.35) 0.4, with ignore_index=0 0.5, BinaryAUROC(thresholds=[0, .5, 1])
  // and (thresholds=3) 7/12, exact 2/3).
  private static final float[] SCORES = {0.9f, 0.3f, 0.4f, 0.2f, 0.7f};
  private static final int[] TARGET = {1, 1, 0, 0, 0};
  private static final Map<String, Double> EXPECTED = Map.of(
      "acc", 0.4, "acc_positives", 0.5, "auroc_listed", 7.0 / 12, "auroc_bins", 7.0 / 12, "auroc_exact", 2.0 / 3);

  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, StepEvent> steps;
  private TestInputTopic<String, byte[]> rawSteps;
  private TestOutputTopic<String, EpochSummary> summaries;
  private TestOutputTopic<String, byte[]> deadLetters;

  @BeforeEach
  void start() {
    Properties config = MetricsStreamApp.streamsConfig(Map.of("bootstrap.servers", "unused:9092"), TOPICS, "test", stateDir);
    driver = new TopologyTestDriver(MetricsTopology.build(TOPICS, Duration.ofSeconds(30), config), config);
    steps = driver.createInputTopic(TOPICS.steps(), new StringSerializer(), AvroSerde.of(StepEvent.class).serializer());
    rawSteps = driver.createInputTopic(TOPICS.steps(), new StringSerializer(), new ByteArraySerializer());
    summaries = driver.createOutputTopic(TOPICS.epochSummaries(), Serdes.String().deserializer(), AvroSerde.of(EpochSummary.class).deserializer());
    deadLetters = driver.createOutputTopic(TOPICS.deadLetters(), Serdes.String().deserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  /** The metrics with each parameter as the JSON text an older writer sent. */
  private static Map<String, Map<String, String>> jsonText() {
    Map<String, Map<String, String>> m = new LinkedHashMap<>();
    m.put("acc", Map.of("task", "\"binary\"", "threshold", "0.35"));
    m.put("acc_positives", Map.of("task", "\"binary\"", "threshold", "0.35", "ignore_index", "0"));
    m.put("auroc_listed", Map.of("task", "\"binary\"", "thresholds", "[0.0, 0.5, 1.0]"));
    m.put("auroc_bins", Map.of("task", "\"binary\"", "thresholds", "3"));
    m.put("auroc_exact", Map.of("task", "\"binary\"", "thresholds", "null"));
    return m;
  }

  /** The same metrics, typed. */
  private static Map<String, MetricSpec> typed() {
    ParamValue binary = new ParamValue("binary");
    Map<String, MetricSpec> m = new LinkedHashMap<>();
    m.put("acc", new MetricSpec("accuracy", Map.of("task", binary, "threshold", new ParamValue(0.35))));
    m.put("acc_positives", new MetricSpec("accuracy", Map.of("task", binary, "threshold", new ParamValue(0.35),
        "ignore_index", new ParamValue(0L))));
    m.put("auroc_listed", new MetricSpec("auroc", Map.of("task", binary, "thresholds", new ParamValue(List.of(
        new ParamValue(0.0), new ParamValue(0.5), new ParamValue(1.0))))));
    m.put("auroc_bins", new MetricSpec("auroc", Map.of("task", binary, "thresholds", new ParamValue(3L))));
    m.put("auroc_exact", new MetricSpec("auroc", Map.of("task", binary, "thresholds", new ParamValue(null))));
    return m;
  }

  private static String metricOf(String name) {
    return name.startsWith("acc") ? "accuracy" : "auroc";
  }

  /** A RunStarted on the steps topic in the StepEvent-4 schema (parameters as JSON text). */
  private static byte[] oldRunStarted(String run, Map<String, Map<String, String>> params) throws Exception {
    Schema v4;
    try (InputStream in = MetricParamsOnTheWireTest.class.getResourceAsStream("/io/epochstream/schema/history/StepEvent-4.avsc")) {
      v4 = new Schema.Parser().parse(in);
    }
    Schema started = v4.getField("payload").schema().getTypes().stream().filter(t -> t.getName().equals("RunStarted")).findFirst().orElseThrow();
    Schema spec = started.getField("metrics").schema().getValueType();
    Map<String, GenericRecord> metrics = new LinkedHashMap<>();
    params.forEach((name, p) -> metrics.put(name, new GenericRecordBuilder(spec).set("metric", metricOf(name)).set("params", p).build()));
    GenericRecord event = new GenericRecordBuilder(v4).set("run", run).set("stage", "").set("epoch", 0).set("rank", 0).set("time", 0L)
        .set("payload", new GenericRecordBuilder(started).set("world_size", 1).set("metrics", metrics).build()).build();
    return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v4).encode(event).array();
  }

  private void announceTyped(String run, Map<String, MetricSpec> metrics) {
    steps.pipeInput(Keys.step(run, 0), new StepEvent(run, "", 0, 0, 0L, RunStarted.newBuilder().setWorldSize(1).setMetrics(metrics).build()));
  }

  private void oneEpoch(String run) {
    steps.pipeInput(Keys.step(run, 0), new StepEvent(run, "val", 0, 0, 1L, new StepOutput(0L, SCORES.length, null,
        Tensors.ofFloats(SCORES, SCORES.length), Tensors.ofInts(TARGET, TARGET.length), Map.of(), null)));
    steps.pipeInput(Keys.step(run, 0), new StepEvent(run, "val", 0, 0, 2L, new EpochEnd(1L)));
  }

  private Map<String, EpochSummary> summariesByRun() {
    Map<String, EpochSummary> out = new LinkedHashMap<>();
    summaries.readValuesToList().forEach(s -> out.put(s.getRun(), s));
    return out;
  }

  private List<String> reasons() {
    return deadLetters.readRecordsToList().stream().map(r -> {
      Header h = r.headers().lastHeader(DeadLetters.REASON);
      return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }).toList();
  }

  @Test
  void aRunAnnouncedWithJsonTextParametersFoldsTheSameSummaryAsTheTypedRun() throws Exception {
    rawSteps.pipeInput(Keys.step("old", 0), oldRunStarted("old", jsonText()));
    announceTyped("typed", typed());
    oneEpoch("old");
    oneEpoch("typed");

    Map<String, EpochSummary> byRun = summariesByRun();
    assertThat(byRun).containsOnlyKeys("old", "typed");
    assertThat(reasons()).isEmpty();
    for (EpochSummary s : byRun.values()) {
      EXPECTED.forEach((name, value) ->
          assertThat(s.getMetrics().get(name).getValues()).as(s.getRun() + " " + name).singleElement().satisfies(v ->
              assertThat(v).isCloseTo(value, within(1e-6))));
    }
  }

  @Test
  void unreadableParametersAreDeadLettersWithTheirReasonAndTheAppGoesOn() throws Exception {
    Map<String, Map<String, String>> truncated = jsonText();
    truncated.put("auroc_listed", Map.of("task", "\"binary\"", "thresholds", "[0.0, 0.5"));
    rawSteps.pipeInput(Keys.step("truncated", 0), oldRunStarted("truncated", truncated));
    Map<String, MetricSpec> notFinite = typed();
    notFinite.put("acc", new MetricSpec("accuracy", Map.of("task", new ParamValue("binary"), "threshold", new ParamValue(Double.NaN))));
    announceTyped("not-finite", notFinite);
    Map<String, MetricSpec> nested = typed();
    nested.put("auroc_bins", new MetricSpec("auroc", Map.of("task", new ParamValue("binary"),
        "thresholds", new ParamValue(List.of(new ParamValue(List.of(new ParamValue(0.5))))))));
    announceTyped("nested", nested);
    announceTyped("typed", typed());
    oneEpoch("truncated");
    oneEpoch("not-finite");
    oneEpoch("nested");
    oneEpoch("typed");

    assertThat(summariesByRun()).containsOnlyKeys("typed");
    List<String> reasons = reasons();
    assertThat(reasons).anySatisfy(r -> assertThat(r).contains("invalid metric configuration")
        .contains("auroc_listed").contains("parameter thresholds is not valid JSON text: [0.0, 0.5"));
    assertThat(reasons).anySatisfy(r -> assertThat(r).contains("invalid metric configuration")
        .contains("acc").contains("parameter threshold must be a finite number, not NaN"));
    assertThat(reasons).anySatisfy(r -> assertThat(r).contains("invalid metric configuration").contains("auroc_bins")
        .contains("thresholds must be null (exact), an integer >= 2").contains("element 0 is [0.5]"));
  }
}
