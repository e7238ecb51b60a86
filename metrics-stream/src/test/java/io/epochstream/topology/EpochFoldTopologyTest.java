package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.event.Keys;
import io.epochstream.event.Tensors;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpochFoldTopologyTest {
  private static final Topics TOPICS = Topics.defaults();
  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, StepEvent> steps;
  private TestInputTopic<String, byte[]> rawSteps;
  private TestOutputTopic<String, EpochSummary> summaries;

  @BeforeEach
  void start() {
    Properties config = MetricsStreamApp.streamsConfig(Map.of("bootstrap.servers", "unused:9092"), "test", stateDir);
    driver = new TopologyTestDriver(MetricsTopology.build(TOPICS, config), config);
    steps = driver.createInputTopic(TOPICS.steps(), new StringSerializer(), AvroSerde.of(StepEvent.class).serializer());
    rawSteps = driver.createInputTopic(TOPICS.steps(), new StringSerializer(), new ByteArraySerializer());
    summaries = driver.createOutputTopic(TOPICS.epochSummaries(), Serdes.String().deserializer(), AvroSerde.of(EpochSummary.class).deserializer());
    announce("r1", Map.of("acc", new MetricSpec("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "2"))));
  }

  private void announce(String run, Map<String, MetricSpec> metrics) {
    steps.pipeInput(Keys.step(run, 0), new StepEvent(run, "", 0, 0, 0L, new RunStarted(1, metrics, Map.of("lr", "max"), Map.of())));
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void lossIsTheBatchSizeWeightedMean() {
    // Values 1..9 with batch sizes 1, 4, 9, ..., 81: sum(k * k^2) / sum(k^2) = 2025 / 285.
    for (int k = 1; k <= 9; k++) {
      send("train", 0, k, lossStep(k, k * k, k));
    }
    send("train", 0, 99, new EpochEnd(9L));
    EpochSummary s = summaries.readValue();
    assertThat(metric(s, "loss")).isEqualTo(2025.0 / 285.0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(metric(s, "loss")).isNotEqualTo(5.0); // the unweighted mean of batch means
    assertThat(s.getSamples()).isEqualTo(285);
    assertThat(s.getSteps()).isEqualTo(9);
    assertThat(s.getComplete()).isTrue();
    assertThat(summaries.isEmpty()).isTrue();
  }

  @Test
  void accuracyIsCorrectOverTotalNotAMeanOfBatchAccuracies() {
    // Batch 1: 4 of 4 right. Batch 2: 0 of 1 right. Epoch accuracy 4/5, not (1 + 0) / 2.
    send("val", 0, 0, classStep(0, new float[] {.9f, .1f, .2f, .8f, .7f, .3f, .4f, .6f}, new int[] {0, 1, 0, 1}));
    send("val", 0, 1, classStep(1, new float[] {.2f, .8f}, new int[] {0}));
    send("val", 0, 2, new EpochEnd(2L));
    assertThat(metric(summaries.readValue(), "acc")).isEqualTo(0.8);
  }

  @Test
  void argmaxTiesGoToTheLowerClass() {
    send("val", 0, 0, classStep(0, new float[] {.5f, .5f, .25f, .25f}, new int[] {0, 1}));
    send("val", 0, 1, new EpochEnd(1L));
    assertThat(metric(summaries.readValue(), "acc")).isEqualTo(0.5);
  }

  @Test
  void stateIsGoneAfterTheSummarySoTheNextEpochStartsFromZero() {
    send("train", 0, 0, lossStep(0, 10, 100.0));
    send("train", 0, 1, new EpochEnd(1L));
    KeyValueStore<String, byte[]> store = driver.getKeyValueStore(EpochFoldProcessor.STORE);
    assertThat(store.all()).toIterable().isEmpty();

    send("train", 1, 2, lossStep(2, 2, 5.0));
    send("train", 1, 3, new EpochEnd(1L));
    List<KeyValue<String, EpochSummary>> out = summaries.readKeyValuesToList();
    assertThat(out).extracting(kv -> kv.key).containsExactly(Keys.epoch("r1", "train", 0), Keys.epoch("r1", "train", 1));
    assertThat(metric(out.get(1).value, "loss")).isEqualTo(5.0);
    assertThat(out.get(1).value.getSamples()).isEqualTo(2);
  }

  @Test
  void eachStageGetsItsOwnSummary() {
    send("train", 0, 0, lossStep(0, 4, 1.0));
    send("train", 0, 1, new EpochEnd(1L));
    send("val", 0, 2, lossStep(0, 2, 3.0));
    send("val", 0, 3, lossStep(1, 2, 5.0));
    send("val", 0, 4, new EpochEnd(2L));
    List<EpochSummary> out = summaries.readValuesToList();
    assertThat(out).extracting(EpochSummary::getStage).containsExactly("train", "val");
    assertThat(metric(out.get(0), "loss")).isEqualTo(1.0);
    assertThat(metric(out.get(1), "loss")).isEqualTo(4.0);
  }

  @Test
  void anUndecodableRecordIsSkippedAndTheAppKeepsGoing() {
    rawSteps.pipeInput(Keys.step("r1", 0), new byte[] {0x13, 0x37, 0x00});
    send("train", 0, 1, lossStep(0, 3, 2.0));
    send("train", 0, 2, new EpochEnd(1L));
    EpochSummary s = summaries.readValue();
    assertThat(metric(s, "loss")).isEqualTo(2.0);
    assertThat(s.getSteps()).isEqualTo(1);
  }

  @Test
  void anInvalidStepChangesNothing() {
    send("val", 0, 0, classStep(0, new float[] {.9f, .1f}, new int[] {0}));
    send("val", 0, 1, classStep(1, new float[] {.9f, .1f}, new int[] {7})); // class 7 of 2
    send("val", 0, 2, new EpochEnd(2L));
    EpochSummary s = summaries.readValue();
    assertThat(s.getSteps()).isEqualTo(1);
    assertThat(s.getSamples()).isEqualTo(1);
    assertThat(metric(s, "acc")).isEqualTo(1.0);
  }

  @Test
  void theRunsConfigurationDecidesTheMetrics() {
    announce("r2", Map.of("mae", new MetricSpec("mean_absolute_error", Map.of())));
    steps.pipeInput(Keys.step("r2", 0), new StepEvent("r2", "test", 0, 0, 0L, new StepOutput(0L, 2, 1.0,
        Tensors.ofDoubles(new double[] {1, 5}, 2), Tensors.ofDoubles(new double[] {2, 2}, 2), Map.of("lr", 0.1))));
    steps.pipeInput(Keys.step("r2", 0), new StepEvent("r2", "test", 0, 0, 1L, new EpochEnd(1L)));
    EpochSummary s = summaries.readValue();
    assertThat(s.getMetrics()).containsOnlyKeys("loss", "lr", "mae");
    assertThat(metric(s, "mae")).isEqualTo(2.0);
    assertThat(metric(s, "lr")).isEqualTo(0.1);
  }

  @Test
  void stepsOfARunNobodyAnnouncedAreSkipped() {
    steps.pipeInput(Keys.step("ghost", 0), new StepEvent("ghost", "train", 0, 0, 0L, lossStep(0, 1, 1.0)));
    steps.pipeInput(Keys.step("ghost", 0), new StepEvent("ghost", "train", 0, 0, 1L, new EpochEnd(1L)));
    assertThat(summaries.isEmpty()).isTrue();
  }

  @Test
  void anInvalidConfigurationIsRefusedAndItsRunStaysUnknown() {
    announce("bad", Map.of("acc", new MetricSpec("accuracy", Map.of("task", "\"multiclass\"")))); // no num_classes
    steps.pipeInput(Keys.step("bad", 0), new StepEvent("bad", "train", 0, 0, 0L, lossStep(0, 1, 1.0)));
    steps.pipeInput(Keys.step("bad", 0), new StepEvent("bad", "train", 0, 0, 1L, new EpochEnd(1L)));
    assertThat(summaries.isEmpty()).isTrue();
  }

  private void send(String stage, int epoch, long time, Object payload) {
    steps.pipeInput(Keys.step("r1", 0), new StepEvent("r1", stage, epoch, 0, time, payload));
  }

  private static StepOutput lossStep(long step, int batchSize, double loss) {
    return new StepOutput(step, batchSize, loss, null, null, Map.of());
  }

  private static StepOutput classStep(long step, float[] probs, int[] target) {
    int n = target.length;
    return new StepOutput(step, n, 0.0, Tensors.ofFloats(probs, n, probs.length / n), Tensors.ofInts(target, n), Map.of());
  }

  private static double metric(EpochSummary s, String name) {
    return s.getMetrics().get(name).getValues().get(0);
  }
}
