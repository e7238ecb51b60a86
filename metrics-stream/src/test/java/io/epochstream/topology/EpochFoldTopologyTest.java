package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.event.Keys;
import io.epochstream.event.Tensors;
import io.epochstream.schema.BestValue;
import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EarlyStopping;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepMetrics;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two-stage topology under TopologyTestDriver (partials loop back through the driver). */
class EpochFoldTopologyTest {
  private static final Topics TOPICS = Topics.defaults();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Map<String, MetricSpec> ACCURACY =
      Map.of("acc", new MetricSpec("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "2")));
  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, StepEvent> steps;
  private TestInputTopic<String, byte[]> rawSteps;
  private TestOutputTopic<String, EpochSummary> summaries;
  private TestOutputTopic<String, byte[]> deadLetters;

  @BeforeEach
  void start() {
    Properties config = MetricsStreamApp.streamsConfig(Map.of("bootstrap.servers", "unused:9092"), TOPICS, "test", stateDir);
    driver = new TopologyTestDriver(MetricsTopology.build(TOPICS, TIMEOUT, config), config);
    steps = driver.createInputTopic(TOPICS.steps(), new StringSerializer(), AvroSerde.of(StepEvent.class).serializer());
    rawSteps = driver.createInputTopic(TOPICS.steps(), new StringSerializer(), new ByteArraySerializer());
    summaries = driver.createOutputTopic(TOPICS.epochSummaries(), Serdes.String().deserializer(), AvroSerde.of(EpochSummary.class).deserializer());
    deadLetters = driver.createOutputTopic(TOPICS.deadLetters(), Serdes.String().deserializer(), new ByteArrayDeserializer());
    announce("r1", 1, ACCURACY);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void announce(String run, int worldSize, Map<String, MetricSpec> metrics) {
    for (int rank = 0; rank < worldSize; rank++) {
      steps.pipeInput(Keys.step(run, rank), new StepEvent(run, "", 0, rank, 0L, RunStarted.newBuilder().setWorldSize(worldSize)
          .setMetrics(metrics).setScalars(Map.of("lr", "max")).build()));
    }
  }

  @Test
  void lossIsTheBatchSizeWeightedMean() {
    // Values 1..9 with batch sizes 1, 4, 9, ..., 81: sum(k * k^2) / sum(k^2) = 2025 / 285.
    for (int k = 1; k <= 9; k++) {
      send("train", 0, k, lossStep(k, k * k, k));
    }
    send("train", 0, 99, new EpochEnd(9L));
    EpochSummary s = summaries.readValue();
    assertThat(metric(s, "loss")).isCloseTo(2025.0 / 285.0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(metric(s, "loss")).isNotEqualTo(5.0); // the unweighted mean of batch means
    assertThat(s.getSamples()).isEqualTo(285);
    assertThat(s.getSteps()).isEqualTo(9);
    assertThat(s.getComplete()).isTrue();
    assertThat(s.getWallSeconds()).isEqualTo(0.008); // event times 1..9 ms
    assertThat(s.getOffsets()).singleElement().satisfies(o -> assertThat(o.getLastOffset() - o.getFirstOffset()).isEqualTo(8));
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
  void stateIsGoneAfterTheSummarySoTheNextEpochStartsFromZero() {
    send("train", 0, 0, lossStep(0, 10, 100.0));
    send("train", 0, 1, new EpochEnd(1L));
    for (String store : List.of(StreamStores.OPEN_EPOCHS.name(), StreamStores.EPOCH_ASSEMBLY.name())) {
      KeyValueStore<Object, Object> kv = driver.getKeyValueStore(store);
      assertThat(kv.all()).toIterable().as(store).isEmpty();
    }
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
  void ranksAreMergedAndTheEpochClosesOnlyWhenAllHaveEnded() {
    announce("dist", 2, ACCURACY);
    // Rank 0: 2 samples, loss 1, both right. Rank 1: 6 samples, loss 3, 3 right.
    sendAs("dist", 0, "val", 0, 0, classStep(0, new float[] {.9f, .1f, .1f, .9f}, new int[] {0, 1}, 1.0));
    sendAs("dist", 0, "val", 0, 1, new EpochEnd(1L));
    assertThat(summaries.isEmpty()).as("rank 1 has not ended").isTrue();
    sendAs("dist", 1, "val", 0, 2, classStep(0, new float[] {.9f, .1f, .9f, .1f, .9f, .1f, .9f, .1f, .9f, .1f, .9f, .1f},
        new int[] {0, 0, 0, 1, 1, 1}, 3.0));
    sendAs("dist", 1, "val", 0, 3, new EpochEnd(1L));
    EpochSummary s = summaries.readValue();
    assertThat(s.getRanks()).isEqualTo(2);
    assertThat(s.getComplete()).isTrue();
    assertThat(s.getSamples()).isEqualTo(8);
    assertThat(metric(s, "loss")).isEqualTo((2 * 1.0 + 6 * 3.0) / 8); // not (1 + 3) / 2: Lightning #12354
    assertThat(metric(s, "acc")).isEqualTo(5.0 / 8);
    assertThat(s.getOffsets()).hasSize(2);
  }

  @Test
  void fourRanksWithInterleavedUnequalBatchesGiveWhatOneRankWithAllBatchesGives() {
    Map<String, MetricSpec> metrics = Map.of(
        "acc", new MetricSpec("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "3")),
        "f1", new MetricSpec("f1_score", Map.of("task", "\"multiclass\"", "num_classes", "3", "average", "\"macro\"")),
        "cm", new MetricSpec("confusion_matrix", Map.of("task", "\"multiclass\"", "num_classes", "3")),
        "auroc", new MetricSpec("auroc", Map.of("task", "\"multiclass\"", "num_classes", "3")));
    announce("four", 4, metrics);
    announce("one", 1, metrics);
    java.util.Random r = new java.util.Random(42);
    long[] nextStep = new long[4];
    long oneStep = 0;
    for (int b = 0; b < 40; b++) {
      int rank = r.nextInt(4);
      int n = 1 + r.nextInt(17); // unequal batches
      float[] probs = new float[n * 3];
      int[] target = new int[n];
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < 3; c++) {
          probs[i * 3 + c] = r.nextInt(10) / 10f;
        }
        target[i] = r.nextInt(3);
      }
      double loss = r.nextDouble();
      sendAs("four", rank, "val", 0, b, classStep(nextStep[rank]++, probs, target, loss));
      sendAs("one", 0, "val", 0, b, classStep(oneStep++, probs, target, loss));
    }
    for (int rank = 3; rank >= 0; rank--) {
      sendAs("four", rank, "val", 0, 100, new EpochEnd(nextStep[rank]));
    }
    sendAs("one", 0, "val", 0, 100, new EpochEnd(oneStep));
    Map<String, EpochSummary> byRun = new java.util.HashMap<>();
    summaries.readValuesToList().forEach(x -> byRun.put(x.getRun(), x));
    EpochSummary four = byRun.get("four");
    EpochSummary one = byRun.get("one");
    assertThat(four.getRanks()).isEqualTo(4);
    assertThat(four.getSamples()).isEqualTo(one.getSamples());
    assertThat(four.getSteps()).isEqualTo(one.getSteps());
    for (String m : List.of("acc", "f1", "cm", "auroc")) {
      assertThat(four.getMetrics().get(m)).as(m).isEqualTo(one.getMetrics().get(m));
    }
    assertThat(metric(four, "loss")).isCloseTo(metric(one, "loss"), org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void aSilentRankClosesTheEpochIncompleteAfterTheTimeoutAndItsLatePartialIsADeadLetter() {
    announce("dist", 3, ACCURACY);
    sendAs("dist", 0, "train", 0, 0, lossStep(0, 4, 2.0));
    sendAs("dist", 0, "train", 0, 1, new EpochEnd(1L));
    sendAs("dist", 2, "train", 0, 2, new EpochEnd(0L));
    driver.advanceWallClockTime(TIMEOUT.minusSeconds(5));
    assertThat(summaries.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofSeconds(6));
    EpochSummary s = summaries.readValue();
    assertThat(s.getComplete()).isFalse();
    assertThat(s.getMissingRanks()).containsExactly(1);
    assertThat(s.getRanks()).isEqualTo(2);
    assertThat(metric(s, "loss")).isEqualTo(2.0);

    sendAs("dist", 1, "train", 0, 3, lossStep(0, 4, 100.0));
    sendAs("dist", 1, "train", 0, 4, new EpochEnd(1L));
    assertThat(summaries.isEmpty()).as("a closed epoch never changes").isTrue();
    assertThat(reasons()).singleElement().asString().contains("already closed").contains("rank 1 arrived late");
  }

  @Test
  void everyAcceptedStepGoesToStepMetricsWithItsLossScalarsAndEpochProgress() {
    TestOutputTopic<String, StepMetrics> stepMetrics = driver.createOutputTopic(TOPICS.stepMetrics(),
        Serdes.String().deserializer(), AvroSerde.of(StepMetrics.class).deserializer());
    send("train", 0, 5, new StepOutput(0L, 4, 0.5, null, null, Map.of("lr", 0.01), null));
    send("train", 0, 6, lossStep(0, 4, 9.0)); // duplicate: no on_step value either
    send("train", 0, 7, lossStep(1, 2, 0.25));
    List<StepMetrics> out = stepMetrics.readValuesToList();
    assertThat(out).hasSize(2);
    assertThat(out.get(0).getValues()).containsEntry("loss", 0.5).containsEntry("lr", 0.01);
    assertThat(out.get(0).getTime()).isEqualTo(5);
    assertThat(out.get(1).getValues()).containsOnly(Map.entry("loss", 0.25));
    assertThat(out.get(1).getEpochSteps()).isEqualTo(2);
    assertThat(out.get(1).getEpochSamples()).isEqualTo(6);
  }

  @Test
  void summariesCarryTheBestSoFarAndEarlyStoppingSignalsOnceOnTheControlTopic() {
    TestOutputTopic<String, ControlEvent> control = driver.createOutputTopic(TOPICS.control(),
        Serdes.String().deserializer(), AvroSerde.of(ControlEvent.class).deserializer());
    steps.pipeInput(Keys.step("es", 0), new StepEvent("es", "", 0, 0, 0L, RunStarted.newBuilder().setWorldSize(1)
        .setMetrics(Map.of()).setBest(Map.of("loss", "min"))
        .setEarlyStopping(EarlyStopping.newBuilder().setMonitor("loss").setStage("train").setPatience(2).build()).build()));
    double[] losses = {1.0, 0.5, 0.6, 0.7, 0.8};
    for (int e = 0; e < losses.length; e++) {
      sendAs("es", 0, "train", e, e, lossStep(e, 4, losses[e]));
      sendAs("es", 0, "train", e, e, new EpochEnd(1L));
    }
    List<EpochSummary> out = summaries.readValuesToList();
    assertThat(out).extracting(x -> x.getBest().get("loss"))
        .containsExactly(new BestValue(1.0, 0), new BestValue(0.5, 1), new BestValue(0.5, 1), new BestValue(0.5, 1), new BestValue(0.5, 1));
    List<KeyValue<String, ControlEvent>> signals = control.readKeyValuesToList();
    assertThat(signals).singleElement().satisfies(kv -> {
      assertThat(kv.key).isEqualTo("es");
      EarlyStop stop = (EarlyStop) kv.value.getPayload();
      assertThat(stop.getEpoch()).isEqualTo(3);
      assertThat(stop.getBestEpoch()).isEqualTo(1);
      assertThat(stop.getReason()).contains("did not improve in the last 2 epochs");
    });
  }

  @Test
  void aDuplicateStepIsADeadLetterAndChangesNothing() {
    send("train", 0, 0, lossStep(0, 4, 1.0));
    send("train", 0, 1, lossStep(0, 4, 50.0));
    send("train", 0, 2, lossStep(1, 4, 3.0));
    send("train", 0, 3, new EpochEnd(2L));
    EpochSummary s = summaries.readValue();
    assertThat(metric(s, "loss")).isEqualTo(2.0);
    assertThat(s.getSteps()).isEqualTo(2);
    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead, DeadLetters.REASON)).isEqualTo("duplicate step 0 of rank 0");
    assertThat(header(dead, DeadLetters.SOURCE_TOPIC)).isEqualTo(TOPICS.steps());
    assertThat(header(dead, DeadLetters.SOURCE_OFFSET)).isNotBlank();
    StepEvent original = AvroSerde.of(StepEvent.class).decode(dead.value());
    assertThat(((StepOutput) original.getPayload()).getLoss()).isEqualTo(50.0);
  }

  @Test
  void aStepAfterItsEpochClosedIsADeadLetter() {
    send("train", 0, 0, lossStep(0, 4, 1.0));
    send("train", 0, 1, new EpochEnd(1L));
    send("train", 0, 2, lossStep(1, 4, 9.0));
    assertThat(summaries.readValuesToList()).hasSize(1);
    assertThat(reasons()).singleElement().asString().contains("epoch 0 of stage train is already closed for rank 0");
  }

  @Test
  void aStepOfTheNextEpochEndsTheOpenOne() {
    send("train", 0, 0, lossStep(0, 4, 1.0));
    send("train", 1, 1, lossStep(1, 4, 7.0));
    EpochSummary s = summaries.readValue();
    assertThat(s.getEpoch()).isZero();
    assertThat(metric(s, "loss")).isEqualTo(1.0);
    send("train", 1, 2, new EpochEnd(1L));
    assertThat(metric(summaries.readValue(), "loss")).isEqualTo(7.0);
  }

  @Test
  void anUndecodableRecordIsSkippedAndTheAppKeepsGoing() {
    // Its dead letter (Kafka Streams' KIP-1034 record) is checked on a real broker in deploy's
    // TrainerToSummariesTest: TopologyTestDriver does not emit the handler's dead-letter records.
    rawSteps.pipeInput(Keys.step("r1", 0), new byte[] {0x13, 0x37, 0x00});
    send("train", 0, 1, lossStep(0, 3, 2.0));
    send("train", 0, 2, new EpochEnd(1L));
    EpochSummary s = summaries.readValue();
    assertThat(metric(s, "loss")).isEqualTo(2.0);
    assertThat(s.getSteps()).isEqualTo(1);
  }

  @Test
  void anInvalidStepIsADeadLetterAndChangesNothing() {
    send("val", 0, 0, classStep(0, new float[] {.9f, .1f}, new int[] {0}));
    send("val", 0, 1, classStep(1, new float[] {.9f, .1f}, new int[] {7})); // class 7 of 2
    send("val", 0, 2, new EpochEnd(2L));
    EpochSummary s = summaries.readValue();
    assertThat(s.getSteps()).isEqualTo(1);
    assertThat(s.getSamples()).isEqualTo(1);
    assertThat(metric(s, "acc")).isEqualTo(1.0);
    assertThat(reasons()).singleElement().asString().startsWith("invalid step: acc:").contains("7");
  }

  @Test
  void theRunsConfigurationDecidesTheMetrics() {
    announce("r2", 1, Map.of("mae", new MetricSpec("mean_absolute_error", Map.of())));
    steps.pipeInput(Keys.step("r2", 0), new StepEvent("r2", "test", 0, 0, 0L, new StepOutput(0L, 2, 1.0,
        Tensors.ofDoubles(new double[] {1, 5}, 2), Tensors.ofDoubles(new double[] {2, 2}, 2), Map.of("lr", 0.1), null)));
    steps.pipeInput(Keys.step("r2", 0), new StepEvent("r2", "test", 0, 0, 1L, new EpochEnd(1L)));
    EpochSummary s = summaries.readValue();
    assertThat(s.getMetrics()).containsOnlyKeys("loss", "lr", "mae");
    assertThat(metric(s, "mae")).isEqualTo(2.0);
    assertThat(metric(s, "lr")).isEqualTo(0.1);
  }

  @Test
  void stepsOfARunNobodyAnnouncedAreDeadLetters() {
    steps.pipeInput(Keys.step("ghost", 0), new StepEvent("ghost", "train", 0, 0, 0L, lossStep(0, 1, 1.0)));
    assertThat(summaries.isEmpty()).isTrue();
    assertThat(reasons()).singleElement().asString().contains("unknown run 'ghost'");
  }

  @Test
  void aRunIdThatBreaksTheRunIdRuleIsADeadLetterWithItsReasonAndTheAppGoesOn() {
    announce("../../etc/passwd", 1, ACCURACY);
    sendAs("a b", 0, "train", 0, 0L, lossStep(0, 1, 1.0));
    assertThat(reasons()).hasSize(2).allSatisfy(r -> assertThat(r).startsWith("invalid run id:"))
        .anySatisfy(r -> assertThat(r).contains("'..' segment")).anySatisfy(r -> assertThat(r).contains("a space"));
    send("train", 0, 1L, lossStep(0, 2, 0.5));
    send("train", 0, 2L, new EpochEnd(1L));
    assertThat(summaries.readValue().getRun()).isEqualTo("r1");
  }

  @Test
  void anInvalidConfigurationIsRefusedAndItsRunStaysUnknown() {
    announce("bad", 1, Map.of("acc", new MetricSpec("accuracy", Map.of("task", "\"multiclass\"")))); // no num_classes
    steps.pipeInput(Keys.step("bad", 0), new StepEvent("bad", "train", 0, 0, 0L, lossStep(0, 1, 1.0)));
    assertThat(summaries.isEmpty()).isTrue();
    assertThat(reasons()).hasSize(2).first().asString().contains("invalid metric configuration").contains("num_classes");
  }

  private List<String> reasons() {
    return deadLetters.readRecordsToList().stream().map(r -> header(r, DeadLetters.REASON)).toList();
  }

  private static String header(TestRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private void send(String stage, int epoch, long time, Object payload) {
    sendAs("r1", 0, stage, epoch, time, payload);
  }

  private void sendAs(String run, int rank, String stage, int epoch, long time, Object payload) {
    steps.pipeInput(Keys.step(run, rank), new StepEvent(run, stage, epoch, rank, time, payload));
  }

  private static StepOutput lossStep(long step, int batchSize, double loss) {
    return new StepOutput(step, batchSize, loss, null, null, Map.of(), null);
  }

  private static StepOutput classStep(long step, float[] probs, int[] target) {
    return classStep(step, probs, target, 0.0);
  }

  private static StepOutput classStep(long step, float[] probs, int[] target, double loss) {
    int n = target.length;
    return new StepOutput(step, n, loss, Tensors.ofFloats(probs, n, probs.length / n), Tensors.ofInts(target, n), Map.of(), null);
  }

  private static double metric(EpochSummary s, String name) {
    return s.getMetrics().get(name).getValues().get(0);
  }
}
