package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.event.Keys;
import io.epochstream.store.StoreKey;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunDeleted;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.RecordLimits;
import io.epochstream.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's state on both stages under the driver's wall clock: expiry after the retention, deletion, late events. */
class RunLifecycleTopologyTest {
  private static final Topics TOPICS = Topics.defaults();
  private static final Duration RETENTION = Duration.ofSeconds(10);
  private static final List<String> STORES = List.of(StreamStores.OPEN_EPOCHS.name(), StreamStores.RANK_PROGRESS.name(),
      StreamStores.RUN_CONFIG.name(), StreamStores.RUN_ACTIVITY.name(), StreamStores.EPOCH_ASSEMBLY.name(),
      StreamStores.RANK_PARTIALS.name(), StreamStores.CLOSED_EPOCHS.name(), StreamStores.RUN_TRACKING.name(),
      StreamStores.SUMMARY_HISTORY.name(), StreamStores.EPOCH_RUN_ACTIVITY.name());
  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, StepEvent> steps;
  private TestOutputTopic<String, EpochSummary> summaries;
  private TestOutputTopic<String, byte[]> deadLetters;
  private Instant now = Instant.parse("2026-11-30T00:00:00Z");

  @BeforeEach
  void start() {
    Properties config = MetricsStreamApp.streamsConfig(Map.of("bootstrap.servers", "unused:9092"), TOPICS, "test", stateDir);
    driver = new TopologyTestDriver(MetricsTopology.build(TOPICS, Duration.ofMinutes(10), config, EpochCloseListener.NONE,
        RecordLimits.MAX_STATE_BYTES, RETENTION), config, now);
    steps = driver.createInputTopic(TOPICS.steps(), new StringSerializer(), AvroSerde.of(StepEvent.class).serializer());
    summaries = driver.createOutputTopic(TOPICS.epochSummaries(), Serdes.String().deserializer(), AvroSerde.of(EpochSummary.class).deserializer());
    deadLetters = driver.createOutputTopic(TOPICS.deadLetters(), Serdes.String().deserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void aFinishedRunIsKeptForTheRetentionThenEveryKeyOfItIsGoneOnBothStages() {
    runTwoEpochs("r1");
    runTwoEpochs("r1:b"); // shares r1's key prefix: must survive r1's sweep
    send("r1", 0, "", 0, new RunFinished("completed", null));
    tick(Duration.ofSeconds(6));
    send("r1:b", 0, "train", 2, step(9)); // r1:b sends on
    assertThat(keysOf("r1")).isNotEmpty();
    tick(Duration.ofSeconds(6)); // 12 s after r1's last event, 6 s after r1:b's
    assertThat(keysOf("r1")).isEmpty();
    assertThat(keysOf("r1:b")).isNotEmpty();
    send("r1:b", 0, "train", 2, new EpochEnd(1L));
    assertThat(summaries.readValuesToList()).extracting(EpochSummary::getRun).endsWith("r1:b");
  }

  @Test
  void aLateEventOfAnExpiredRunIsRefusedByNameAndDoesNotReopenIt() {
    runTwoEpochs("r1");
    tick(RETENTION.plusSeconds(2));
    assertThat(keysOf("r1")).isEmpty();
    send("r1", 0, "", 0, started());
    send("r1", 0, "train", 5, step(50));
    send("r1", 0, "train", 5, new EpochEnd(1L));
    assertThat(reasons()).hasSize(3).allSatisfy(r -> assertThat(r)
        .startsWith("run 'r1' expired: no event for PT10S (--run-retention) after its last event").contains("does not re-open it"));
    assertThat(keysOf("r1")).isEmpty();
    assertThat(summaries.readValuesToList()).extracting(EpochSummary::getEpoch).containsExactly(0, 1);
  }

  @Test
  void aDeletedRunIsDroppedAtOnceOnBothStagesAndOtherRunsGoOn() {
    runTwoEpochs("r1");
    runTwoEpochs("r2");
    send("r1", 0, "train", 2, step(7)); // an open epoch at stage 1 too
    assertThat(keysOf("r1")).isNotEmpty();
    send("r1", 0, "", 0, new RunDeleted("runs --delete"));
    assertThat(keysOf("r1")).isEmpty();
    send("r1", 0, "train", 2, new EpochEnd(1L));
    assertThat(reasons()).singleElement().satisfies(r -> assertThat(r).startsWith("run 'r1' was deleted (runs --delete)"));
    send("r2", 0, "train", 2, step(7));
    send("r2", 0, "train", 2, new EpochEnd(1L));
    List<EpochSummary> out = summaries.readValuesToList();
    assertThat(out.get(out.size() - 1)).satisfies(s -> {
      assertThat(s.getRun()).isEqualTo("r2");
      assertThat(s.getEpoch()).isEqualTo(2);
    });
    assertThat(keysOf("r2")).isNotEmpty();
  }

  @Test
  void deletingARunThatAlreadyExpiredIsNoDeadLetter() {
    runTwoEpochs("r1");
    tick(RETENTION.plusSeconds(2));
    send("r1", 0, "", 0, new RunDeleted("runs --delete"));
    assertThat(reasons()).isEmpty();
    assertThat(keysOf("r1")).isEmpty();
  }

  private void runTwoEpochs(String run) {
    send(run, 0, "", 0, started());
    for (int epoch = 0; epoch < 2; epoch++) {
      send(run, 0, "train", epoch, step(epoch));
      send(run, 0, "train", epoch, new EpochEnd(1L));
    }
  }

  private static RunStarted started() {
    return RunStarted.newBuilder().setWorldSize(1).setBest(Map.of("loss", "min"))
        .setMetrics(Map.of("acc", new MetricSpec("accuracy", Map.of("task", "\"binary\"")))).build();
  }

  private static StepOutput step(long step) {
    return new StepOutput(step, 2, 0.5, io.epochstream.event.Tensors.ofFloats(new float[] {0.2f, 0.8f}, 2),
        io.epochstream.event.Tensors.ofLongs(new long[] {0, 1}, 2), Map.of(), null);
  }

  private void send(String run, int rank, String stage, int epoch, Object payload) {
    steps.pipeInput(new TestRecord<>(Keys.step(run, rank), new StepEvent(run, stage, epoch, rank, now.toEpochMilli(), payload), now));
  }

  private void tick(Duration d) {
    // In one-second ticks, as the service's sweep runs.
    for (long s = 0; s < d.toSeconds(); s++) {
      now = now.plusSeconds(1);
      driver.advanceWallClockTime(Duration.ofSeconds(1));
    }
  }

  /** Every key of {@code run} in every store of the topology that is keyed by run. */
  private List<String> keysOf(String run) {
    List<String> out = new ArrayList<>();
    for (String name : STORES) {
      KeyValueStore<StoreKey, Object> store = driver.getKeyValueStore(name);
      try (KeyValueIterator<StoreKey, Object> it = store.all()) {
        while (it.hasNext()) {
          KeyValue<StoreKey, Object> kv = it.next();
          if (kv.key.run().equals(run)) {
            out.add(name + "/" + kv.key.encoded());
          }
        }
      }
    }
    return out;
  }

  private List<String> reasons() {
    return deadLetters.readRecordsToList().stream()
        .map(r -> new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8)).toList();
  }
}
