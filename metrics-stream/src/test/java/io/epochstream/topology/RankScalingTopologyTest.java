package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.eval.OfflineEvaluator;
import io.epochstream.fold.RunConfigs;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.event.Keys;
import io.epochstream.fold.EpochAssembly;
import io.epochstream.schema.RankPartial;
import io.epochstream.store.FoldValues;
import io.epochstream.store.StoreKey;
import io.epochstream.event.Tensors;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.RecordLimits;
import io.epochstream.topic.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stage 2 at many ranks and the state-size limits, under TopologyTestDriver: the summary does not
 * depend on the order ranks arrive in, equals eval's, and each arrival stores one rank's state.
 */
class RankScalingTopologyTest {
  private static final Topics TOPICS = Topics.defaults();
  private static final int CLASSES = 10;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The trainer's default set: accuracy, macro F1, binned macro AUROC (100 thresholds). */
  private static final Map<String, MetricSpec> DEFAULT_SET = Map.of(
      "acc", new MetricSpec("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "10")),
      "f1", new MetricSpec("f1_score", Map.of("task", "\"multiclass\"", "num_classes", "10", "average", "\"macro\"")),
      "auroc", new MetricSpec("auroc", Map.of("task", "\"multiclass\"", "num_classes", "10", "thresholds", "100")));
  @TempDir Path stateDir;

  /** A driver over the real topology; closed by the caller. */
  private final class App implements AutoCloseable {
    final TopologyTestDriver driver;
    final TestInputTopic<String, StepEvent> steps;
    final TestOutputTopic<String, EpochSummary> summaries;
    final TestOutputTopic<String, byte[]> deadLetters;

    App(String dir, long maxStateBytes) {
      Properties config = MetricsStreamApp.streamsConfig(Map.of("bootstrap.servers", "unused:9092"), TOPICS, "test",
          stateDir.resolve(dir));
      driver = new TopologyTestDriver(MetricsTopology.build(TOPICS, Duration.ofSeconds(30), config, EpochCloseListener.NONE,
          maxStateBytes), config);
      steps = driver.createInputTopic(TOPICS.steps(), new StringSerializer(), AvroSerde.of(StepEvent.class).serializer());
      summaries = driver.createOutputTopic(TOPICS.epochSummaries(), Serdes.String().deserializer(),
          AvroSerde.of(EpochSummary.class).deserializer());
      deadLetters = driver.createOutputTopic(TOPICS.deadLetters(), Serdes.String().deserializer(), new ByteArrayDeserializer());
    }

    void send(StepEvent e) {
      steps.pipeInput(Keys.step(e.getRun(), e.getRank()), e);
    }

    List<String> reasons() {
      return deadLetters.readRecordsToList().stream().map(RankScalingTopologyTest::reason).toList();
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  private static String reason(TestRecord<String, byte[]> r) {
    Header h = r.headers().lastHeader(DeadLetters.REASON);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static RunStarted run(int worldSize, Map<String, MetricSpec> metrics) {
    return RunStarted.newBuilder().setWorldSize(worldSize).setMetrics(metrics).setScalars(Map.of()).build();
  }

  /** Each rank's steps (two of 8 samples) and its EpochEnd, per rank in order. */
  private static List<List<StepEvent>> rankEvents(String run, int ranks, long seed) {
    Random r = new Random(seed);
    List<List<StepEvent>> out = new ArrayList<>();
    for (int rank = 0; rank < ranks; rank++) {
      List<StepEvent> events = new ArrayList<>();
      for (int step = 0; step < 2; step++) {
        float[] probs = new float[8 * CLASSES];
        int[] target = new int[8];
        for (int i = 0; i < 8; i++) {
          float sum = 0;
          for (int c = 0; c < CLASSES; c++) {
            probs[i * CLASSES + c] = r.nextFloat();
            sum += probs[i * CLASSES + c];
          }
          for (int c = 0; c < CLASSES; c++) {
            probs[i * CLASSES + c] /= sum;
          }
          target[i] = r.nextInt(CLASSES);
        }
        StepOutput out1 = new StepOutput((long) step, 8, r.nextDouble(), Tensors.ofFloats(probs, 8, CLASSES),
            Tensors.ofInts(target, 8), Map.of(), null);
        events.add(new StepEvent(run, "train", 0, rank, 1000L + step, out1));
      }
      events.add(new StepEvent(run, "train", 0, rank, 1002L, new EpochEnd(2L)));
      out.add(events);
    }
    return out;
  }

  /** Runs the events through the topology, ranks ending in {@code order}. */
  private EpochSummary streamed(String dir, RunStarted started, List<List<StepEvent>> events, List<Integer> order) {
    try (App app = new App(dir, RecordLimits.MAX_STATE_BYTES)) {
      for (int rank = 0; rank < started.getWorldSize(); rank++) {
        app.send(new StepEvent("r", "", 0, rank, 0L, started));
      }
      for (int rank : order) {
        events.get(rank).forEach(app::send);
      }
      List<EpochSummary> out = app.summaries.readValuesToList();
      assertThat(out).hasSize(1);
      assertThat(app.reasons()).isEmpty();
      KeyValueStore<StoreKey.Partial, RankPartial> partials = app.driver.getKeyValueStore(StreamStores.RANK_PARTIALS.name());
      assertThat(partials.all()).toIterable().as("rank partials deleted at close").isEmpty();
      return out.get(0);
    }
  }

  /** eval's summary line for the same events, as JSON. */
  private static JsonNode evaluated(RunStarted started, List<List<StepEvent>> events) throws Exception {
    StringBuilder lines = new StringBuilder(JsonLinesCodec.encode(new RunEvent("r", 0L, started, null))).append('\n');
    events.forEach(rank -> rank.forEach(e -> lines.append(JsonLinesCodec.encode(e)).append('\n')));
    List<String> out = new ArrayList<>();
    new OfflineEvaluator(out::add, notice -> { }).evaluate(new BufferedReader(new StringReader(lines.toString())));
    assertThat(out).hasSize(1);
    return JSON.readTree(out.get(0));
  }

  /** The summary's line as eval prints it: the same doubles give the same text, bit for bit. */
  private static JsonNode line(EpochSummary s) throws Exception {
    return JSON.readTree(JsonLinesCodec.encode(s));
  }

  /**
   * The binary form of a rank's state, stated here from the format's description rather than taken
   * from the code: a format byte, four 8-byte counts (steps, samples, first and last event time)
   * and a 4-byte metric count; then each metric's states in order, each a 4-byte slot count and an
   * 8-byte double per slot. The loss is a mean of three one-slot states (weighted sum, weight, NaNs
   * dropped); a C-class confusion matrix is one state of C x C slots; an exact AUROC one growing
   * state of C slots per sample (the label folded into the sign).
   */
  private static final class Layout {
    static final long HEADER = 1 + 4 * 8 + 4;
    static final long LOSS = 3 * state(1);

    static long state(long slots) {
      return 4 + slots(slots);
    }

    static long slots(long slots) {
      return 8 * slots;
    }
  }

  @Test
  void sixtyFourRanksArrivingInAnyOrderCloseOnceCompleteAsTheNaiveReferenceSaysAndEqualEvalBitForBit() throws Exception {
    RunStarted started = run(64, DEFAULT_SET);
    List<List<StepEvent>> events = rankEvents("r", 64, 11);
    List<Integer> ascending = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      ascending.add(i);
    }
    List<Integer> shuffled = new ArrayList<>(ascending);
    Collections.shuffle(shuffled, new Random(3));
    EpochSummary inOrder = streamed("a", started, events, ascending);
    EpochSummary anyOrder = streamed("b", started, events, shuffled);
    assertThat(inOrder.getComplete()).isTrue();
    assertThat(inOrder.getRanks()).isEqualTo(64);
    assertThat(inOrder.getMissingRanks()).isEmpty();
    assertThat(inOrder.getSamples()).isEqualTo(64 * 16);
    assertThat(anyOrder.getMetrics()).isEqualTo(inOrder.getMetrics());
    // The naive reference over the same events (every rank's batches concatenated): counts exact, values within 1e-9.
    List<StepEvent> all = new ArrayList<>();
    for (int rank = 0; rank < 64; rank++) {
      all.add(new StepEvent("r", "", 0, rank, 0L, started));
    }
    events.forEach(all::addAll);
    SummaryView.assertSameEpochs(SentEvents.expected(all), List.of(SentEvents.view(inOrder)));
    SummaryView.assertSameEpochs(SentEvents.expected(all), List.of(SentEvents.view(anyOrder)));
    JsonNode eval = evaluated(started, events);
    assertThat(eval.get("metrics").toString()).as("eval, bit for bit").isEqualTo(line(inOrder).get("metrics").toString());
    assertThat(eval.get("samples").asLong()).isEqualTo(inOrder.getSamples());
    assertThat(eval.get("ranks").asInt()).isEqualTo(64);
  }

  @Test
  void eachArrivalStoresOneRanksStateAndASmallAssemblyWhateverTheWorldSize() {
    RunStarted started = run(256, DEFAULT_SET);
    List<List<StepEvent>> events = rankEvents("r", 256, 5);
    try (App app = new App("c", RecordLimits.MAX_STATE_BYTES)) {
      for (int rank = 0; rank < 256; rank++) {
        app.send(new StepEvent("r", "", 0, rank, 0L, started));
      }
      KeyValueStore<StoreKey.Epoch, EpochAssembly> assemblies = app.driver.getKeyValueStore(StreamStores.EPOCH_ASSEMBLY.name());
      KeyValueStore<StoreKey.Partial, RankPartial> partials = app.driver.getKeyValueStore(StreamStores.RANK_PARTIALS.name());
      StoreKey.Epoch epoch = new StoreKey.Epoch("r", "train", 0);
      int largestAssembly = 0;
      for (int rank = 0; rank < 255; rank++) {
        events.get(rank).forEach(app::send);
        largestAssembly = Math.max(largestAssembly, FoldValues.ASSEMBLY.encode(assemblies.get(epoch)).length);
        assertThat(partials.get(new StoreKey.Partial(epoch, rank))).isNotNull();
      }
      // 256 arrival bits and a few fields: no rank's state is in the assembly.
      assertThat(largestAssembly).isLessThan(200);
      assertThat(app.summaries.isEmpty()).isTrue();
      events.get(255).forEach(app::send);
      EpochSummary s = app.summaries.readValue();
      assertThat(s.getRanks()).isEqualTo(256);
      assertThat(s.getComplete()).isTrue();
      assertThat(assemblies.get(epoch)).isNull();
    }
  }

  @Test
  void aRunWhoseStateCannotFitIsRefusedAtItsAnnouncementNamingTheSizeAndTheLimit() {
    Map<String, MetricSpec> huge = Map.of("cm",
        new MetricSpec("confusion_matrix", Map.of("task", "\"multiclass\"", "num_classes", "3000")));
    try (App app = new App("d", RecordLimits.MAX_STATE_BYTES)) {
      app.send(new StepEvent("big", "", 0, 0, 0L, run(1, huge)));
      app.send(new StepEvent("big", "train", 0, 0, 1L, new StepOutput(0L, 1, 1.0, null, null, Map.of(), null)));
      List<String> reasons = app.reasons();
      long cm = Layout.state(3000L * 3000);
      assertThat(reasons).hasSize(2);
      assertThat(reasons.get(0)).startsWith("run refused: ")
          .contains("needs " + (Layout.HEADER + Layout.LOSS + cm) + " bytes per rank (cm: " + cm + " bytes)")
          .contains("over the limit of " + RecordLimits.MAX_STATE_BYTES + " bytes");
      assertThat(reasons.get(1)).startsWith("unknown run 'big'");
    }
  }

  @Test
  void aStepThatWouldGrowAnExactCurvePastTheLimitIsADeadLetterAndTheEpochKeepsTheRest() {
    Map<String, MetricSpec> exact = Map.of("auroc",
        new MetricSpec("auroc", Map.of("task", "\"multiclass\"", "num_classes", "10", "thresholds", "null")));
    // Room for the empty state and exactly 3 steps of 8 samples x 10 classes: the other 3 are refused.
    long empty = Layout.HEADER + Layout.LOSS + Layout.state(0);
    assertThat(RunConfigs.metricConfig(run(1, exact)).newEpoch().toBytes()).as("the stated layout").hasSize((int) empty);
    long limit = empty + 3 * Layout.slots(8 * 10);
    try (App app = new App("e", limit)) {
      app.send(new StepEvent("r", "", 0, 0, 0L, run(1, exact)));
      List<StepEvent> events = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        events.addAll(rankEvents("r", 1, k).get(0).subList(0, 2));
      }
      for (int i = 0; i < events.size(); i++) {
        StepEvent e = events.get(i);
        ((StepOutput) e.getPayload()).setStep(i);
        app.send(e);
      }
      app.send(new StepEvent("r", "train", 0, 0, 2000L, new EpochEnd(6L)));
      List<String> reasons = app.reasons();
      assertThat(reasons).hasSize(3).allSatisfy(r -> assertThat(r).contains("to " + (limit + Layout.slots(8 * 10)) + " bytes")
          .contains("over the limit of " + limit + " bytes"));
      EpochSummary s = app.summaries.readValue();
      assertThat(s.getSteps()).isEqualTo(3);
      assertThat(s.getSamples()).isEqualTo(8L * 3);
    }
  }

  @Test
  void aRankOutsideTheWorldSizeIsADeadLetterAndDoesNotCountTowardsTheClose() {
    try (App app = new App("f", RecordLimits.MAX_STATE_BYTES)) {
      RunStarted started = run(2, DEFAULT_SET);
      app.send(new StepEvent("r", "", 0, 0, 0L, started));
      app.send(new StepEvent("r", "", 0, 1, 0L, started));
      List<List<StepEvent>> events = rankEvents("r", 3, 1);
      events.get(2).forEach(app::send); // rank 2 of a 2-rank run
      events.get(0).forEach(app::send);
      assertThat(app.summaries.isEmpty()).isTrue();
      assertThat(app.reasons()).isNotEmpty().allSatisfy(r -> assertThat(r).isEqualTo("rank 2 is outside world_size 2"));
      events.get(1).forEach(app::send);
      assertThat(app.summaries.readValue().getRanks()).isEqualTo(2);
    }
  }
}
