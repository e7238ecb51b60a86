package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.eval.OfflineEvaluator;
import io.epochstream.event.ParamValues;
import io.epochstream.fold.RunConfigs;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.metric.Batch;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.StateDelta;
import io.epochstream.publish.StateDeltaSink;
import io.epochstream.publish.StepPublisher;
import io.epochstream.publish.StepSink;
import io.epochstream.reference.ExpectedEpoch;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.replay.ReplayService;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.Tensor;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.trainer.DefaultMetrics;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --publish state} against {@code --publish preds} on the same batches of one real DJL
 * training: the stream app on a real broker, {@code eval} on the JSON lines of the published steps
 * and replay must all give the state run the numbers of the predictions run.
 */
@ExtendWith(SharedKafka.class)
class PublishStateModeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  /** The default set plus a confusion matrix and exact (unbinned) AUROC. */
  private static RunStarted runStarted() {
    Map<String, MetricSpec> metrics = new LinkedHashMap<>(DefaultMetrics.multiclass(4));
    metrics.put("cm", ParamValues.spec("confusion_matrix", Map.of("task", "multiclass", "num_classes", 4)));
    metrics.put("auroc_exact", ParamValues.spec("auroc", Map.of("task", "multiclass", "num_classes", 4)));
    return RunStarted.newBuilder().setWorldSize(1).setMetrics(metrics).setScalars(new HashMap<>(Map.of("lr", "mean"))).build();
  }

  /** Every batch of one training to two sinks: the same steps published both ways. */
  private record Tee(StepSink a, StepSink b) implements StepSink {
    @Override
    public void step(String stage, int epoch, long step, int batchSize, Double loss, Tensor preds, Tensor target, Map<String, Double> scalars) {
      a.step(stage, epoch, step, batchSize, loss, preds, target, scalars);
      b.step(stage, epoch, step, batchSize, loss, preds, target, scalars);
    }

    @Override
    public void epochEnd(String stage, int epoch, long steps) {
      a.epochEnd(stage, epoch, steps);
      b.epochEnd(stage, epoch, steps);
    }

    @Override
    public void flush() {
      a.flush();
      b.flush();
    }
  }

  @Test
  void stateRunSummariesEqualThePredictionsRunLiveInEvalAndInReplay(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    // 960 training samples in 15 batches of 64, 240 validation samples in 4; 2 epochs.
    TrainingConfig config = new TrainingConfig("unused", 0, 1, 2, 64, 0.01f, 11, 1200, 20, 4, new int[] {32}, 0.2);
    RunStarted started = runStarted();
    List<EpochSummary> live;
    String appId = "state-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir)) {
      app.start(Duration.ofSeconds(60));
      try (StepPublisher preds = new StepPublisher(kafka.clientConfig(), topics, "preds-run", 0);
           StepPublisher state = new StepPublisher(kafka.clientConfig(), topics, "state-run", 0)) {
        preds.runStarted(started);
        state.runStarted(started);
        StepSink stateSink = new StateDeltaSink(state, RunConfigs.metricConfig(started), 3);
        new TrainingJob(config).run(new Tee(preds, stateSink));
        stateSink.flush();
        preds.flush();
      }
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(90));
      live = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer());
    }
    assertThat(live).hasSize(8);
    // Both runs against the naive reference over the predictions run's steps (the same batches).
    List<StepEvent> steps = TopicReader.readAll(kafka.clientConfig(), topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
    assertThat(steps).hasSize(2 * (1 + 2 * (15 + 4) + 4));
    List<ExpectedEpoch> expected = SentEvents.expected(steps.stream().filter(e -> e.getRun().equals("preds-run")).toList());
    assertThat(expected).hasSize(4).allSatisfy(e -> assertThat(e.samples()).isEqualTo(e.stage().equals("train") ? 960 : 240));
    SummaryView.assertSameEpochs(expected, SentEvents.views(live.stream().filter(x -> x.getRun().equals("preds-run")).toList()));
    SummaryView.assertSameEpochs(expected.stream().map(e -> new ExpectedEpoch("state-run", e.stage(), e.epoch(), e.ranks(), e.steps(),
        e.samples(), e.metrics(), e.droppedNans())).toList(), SentEvents.views(live.stream().filter(x -> x.getRun().equals("state-run")).toList()));
    Map<String, EpochSummary> predsLive = byEpoch(live, "preds-run");
    Map<String, EpochSummary> stateLive = byEpoch(live, "state-run");
    assertThat(stateLive.keySet()).containsExactlyInAnyOrder("train:0", "val:0", "train:1", "val:1").isEqualTo(predsLive.keySet());
    predsLive.forEach((key, p) -> {
      EpochSummary s = stateLive.get(key);
      assertThat(s.getSteps()).as(key).isEqualTo(p.getSteps());
      assertThat(s.getSamples()).as(key).isEqualTo(p.getSamples());
      assertThat(s.getMetrics().keySet()).as(key).containsExactlyInAnyOrderElementsOf(p.getMetrics().keySet())
          .contains("loss", "acc", "f1", "auroc", "cm", "auroc_exact");
      p.getMetrics().forEach((name, value) -> assertClose(key + " " + name, s.getMetrics().get(name), value));
    });

    // On the wire: no predictions in the state run, a delta every 3 steps of an epoch and on its last step.
    List<StepOutput> stateSteps = steps.stream().filter(e -> e.getRun().equals("state-run") && e.getPayload() instanceof StepOutput)
        .map(e -> (StepOutput) e.getPayload()).toList();
    assertThat(stateSteps).hasSize(2 * (15 + 4)).allSatisfy(s -> assertThat(s.getPreds()).isNull());
    assertThat(stateSteps.stream().filter(s -> s.getState() != null)).hasSize(2 * (5 + 2));

    // eval on the JSON lines of what was published: the same numbers again.
    Map<String, JsonNode> predsEval = eval(steps, "preds-run");
    Map<String, JsonNode> stateEval = eval(steps, "state-run");
    assertThat(stateEval.keySet()).isEqualTo(predsEval.keySet()).hasSize(4);
    predsEval.forEach((key, p) -> {
      JsonNode s = stateEval.get(key);
      assertThat(s.get("samples")).isEqualTo(p.get("samples"));
      p.get("metrics").fields().forEachRemaining(m -> assertCloseJson(key + " " + m.getKey(), s.get("metrics").get(m.getKey()), m.getValue()));
    });

    // Replay merges the deltas again and reproduces the live summaries; new metrics it refuses.
    ReplayService replay = new ReplayService(kafka.clientConfig(), topics);
    List<EpochSummary> again = replay.replay(new ReplayService.Selection("state-run", null, 0, Integer.MAX_VALUE), null);
    assertThat(lines(again)).isEqualTo(lines(new ArrayList<>(stateLive.values())));
    MetricConfig other = new MetricConfig(Map.of("ap", new MetricConfig.Spec("average_precision",
        Map.of("task", "\"multiclass\"", "num_classes", "4"))), Map.of());
    assertThatThrownBy(() -> replay.replay(new ReplayService.Selection("state-run", null, 0, Integer.MAX_VALUE), other))
        .isInstanceOf(io.epochstream.replay.ReplayRequestException.class).hasMessageContaining("kept no predictions");
  }

  @Test
  void aDeltaMadeForOtherMetricsIsADeadLetterWithItsReasonAndTheEpochStillCloses(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    RunStarted fourClasses = RunStarted.newBuilder().setWorldSize(1).setMetrics(DefaultMetrics.multiclass(4)).build();
    RunStarted fiveClasses = RunStarted.newBuilder().setWorldSize(1).setMetrics(DefaultMetrics.multiclass(5)).build();
    String appId = "state-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir);
         StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, "mixed", 0)) {
      app.start(Duration.ofSeconds(60));
      publisher.runStarted(fourClasses);
      EpochState wrong = RunConfigs.metricConfig(fiveClasses).newEpoch();
      EpochState right = RunConfigs.metricConfig(fourClasses).newEpoch();
      Batch batch = new Batch(2, null, new double[] {.7, .1, .1, .1, .2, .6, .1, .1}, new int[] {2, 4}, new double[] {0, 2}, new int[] {2}, Map.of());
      right.update(batch, 0L);
      publisher.stateStep("train", 0, 0, 2, 0.5, StateDelta.encode(wrong), Map.of());
      publisher.stateStep("train", 0, 1, 2, 0.25, new byte[] {1, 2, 3}, Map.of());
      publisher.stateStep("train", 0, 2, 2, 0.75, StateDelta.encode(right), Map.of());
      publisher.epochEnd("train", 0, 3);
      publisher.flush();

      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      assertThat(summaries).singleElement().satisfies(s -> {
        assertThat(s.getSteps()).isEqualTo(1);
        assertThat(s.getMetrics().get("loss").getValues()).containsExactly(0.75);
        assertThat(s.getMetrics().get("acc").getValues()).containsExactly(0.5); // row 0 right, row 1 (label 2) wrong
      });
      List<String> reasons = TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters()).stream()
          .map(r -> new String(r.headers().lastHeader("epochstream.reason").value())).toList();
      assertThat(reasons).hasSize(2).allSatisfy(r -> assertThat(r).startsWith("invalid step: state: "));
      assertThat(reasons).anySatisfy(r -> assertThat(r).contains("slots in the delta"));
      assertThat(reasons).anySatisfy(r -> assertThat(r).contains("not a valid state delta"));
      assertThat(app.state()).isEqualTo(org.apache.kafka.streams.KafkaStreams.State.RUNNING);
    }
  }

  private static Map<String, EpochSummary> byEpoch(List<EpochSummary> summaries, String run) {
    return summaries.stream().filter(s -> s.getRun().equals(run))
        .collect(Collectors.toMap(s -> s.getStage() + ":" + s.getEpoch(), Function.identity()));
  }

  private static Map<String, JsonNode> eval(List<StepEvent> steps, String run) throws Exception {
    StringBuilder jsonl = new StringBuilder();
    steps.stream().filter(e -> e.getRun().equals(run)).forEach(e -> jsonl.append(JsonLinesCodec.encode(e)).append('\n'));
    Map<String, JsonNode> out = new HashMap<>();
    List<String> notices = new ArrayList<>();
    new OfflineEvaluator(line -> {
      try {
        JsonNode n = JSON.readTree(line);
        out.put(n.get("stage").asText() + ":" + n.get("epoch").asInt(), n);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, notices::add).evaluate(new BufferedReader(new StringReader(jsonl.toString())));
    assertThat(notices).isEmpty();
    return out;
  }

  private static void assertClose(String what, MetricValue actual, MetricValue expected) {
    assertThat(actual.getShape()).as(what).isEqualTo(expected.getShape());
    for (int i = 0; i < expected.getValues().size(); i++) {
      assertThat(actual.getValues().get(i)).as(what + "[" + i + "]").isCloseTo(expected.getValues().get(i), within(1e-9));
    }
  }

  private static void assertCloseJson(String what, JsonNode actual, JsonNode expected) {
    if (expected.isArray()) {
      assertThat(actual.size()).as(what).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertCloseJson(what + "[" + i + "]", actual.get(i), expected.get(i));
      }
    } else {
      assertThat(actual.asDouble()).as(what).isCloseTo(expected.asDouble(), within(1e-9));
    }
  }

  private static List<String> lines(List<EpochSummary> summaries) {
    return summaries.stream().sorted(Comparator.comparing((EpochSummary s) -> s.getStage()).thenComparingInt(EpochSummary::getEpoch))
        .map(JsonLinesCodec::encode).toList();
  }
}
