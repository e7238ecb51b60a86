package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.publish.StepPublisher;
import io.epochstream.reference.EpochFixture;
import io.epochstream.reference.NaiveEpochs;
import io.epochstream.reference.SentLines;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.replay.ReplayService;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON values on the wire, end to end with a non-JVM client: kcat produces a run as JSON step
 * lines, the stream app folds them and writes JSON summaries, kcat reads them back, and they hold
 * the figures TorchMetrics computed for the same lines (and the naive reference's, and eval's).
 */
@ExtendWith(SharedKafka.class)
class JsonWireTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** What a summary value carries beyond eval's line (times, throughput, offsets, best so far). */
  private static final List<String> WIRE_ONLY = List.of("first_event_time", "last_event_time", "closed_time",
      "wall_seconds", "samples_per_second", "last_step", "offsets", "best");

  @TempDir Path dir;

  /**
   * The TorchMetrics fixture's run, its decoys and refused lines included, produced by kcat as JSON
   * step values keyed run:rank, with two values that are not events at all: the summaries kcat reads
   * back hold TorchMetrics' figures, every refused or passed-over line is a dead letter with its
   * reason, and replay of the JSON steps gives the same figures.
   */
  @Test
  void aRunProducedAsJsonByKcatFoldsToTorchMetricsFiguresAndKcatReadsTheSummariesAsJson(TestKafka kafka) throws Exception {
    Kcat kcat = Kcat.against(kafka.bootstrapServers());
    Topics topics = TestTopics.create(kafka, 2);
    EpochFixture fixture = EpochFixture.load();
    String run = fixture.run();
    String runLine = fixture.lines().get(0);

    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
    config.put(WireFormat.PROPERTY, "json");
    String appId = "json-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(config, topics, appId, dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      // As the JVM publisher sends it: the run line on the runs topic, and ahead of each rank's
      // steps on its key (rank 5 of the refused lines too: it is refused for its rank, not its run).
      kcat.produce(topics.runs(), List.of(run + "\t" + runLine), dir);
      List<String> steps = new ArrayList<>();
      for (int rank : List.of(0, 1, 5)) {
        steps.add(run + ":" + rank + "\t" + runLine);
      }
      // Bad values on the way: neither may stop the app or change a summary.
      String truncated = "{\"type\":\"step\",\"run\":";
      String incomplete = "{\"type\":\"step\",\"run\":\"" + run + "\",\"stage\":\"train\"}";
      steps.add(run + ":0\t" + truncated);
      steps.add(run + ":1\t" + incomplete);
      for (String l : fixture.linesWithRefused().subList(1, fixture.linesWithRefused().size())) {
        steps.add(run + ":" + rankOf(l) + "\t" + l);
      }
      kcat.produce(topics.steps(), steps, dir);
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(90));

      List<SummaryView> summaries = new ArrayList<>();
      List<String> asEval = new ArrayList<>();
      for (String value : kcat.consumeAll(topics.epochSummaries())) {
        ObjectNode node = (ObjectNode) MAPPER.readTree(value);
        assertThat(node.has("closed_time")).as("a wire summary carries its times: %s", value).isTrue();
        summaries.add(SentEvents.view(node));
        node.remove(WIRE_ONLY);
        asEval.add(node.toString());
      }
      SummaryView.assertSameEpochs(fixture.epochs(), summaries, EpochFixture.TOLERANCE);
      SummaryView.assertSameEpochs(NaiveEpochs.of(SentLines.parse(fixture.linesWithRefused())), summaries);
      assertThat(asEval).as("eval, a second check").containsExactlyInAnyOrderElementsOf(OfflineSummaries.of(fixture.lines()));
      // Replay reads the JSON summaries' offsets and the JSON steps they point at, and folds them again.
      List<EpochSummary> replayed = new ReplayService(kafka.clientConfig(), topics)
          .replay(new ReplayService.Selection(run, null, 0, Integer.MAX_VALUE), null);
      SummaryView.assertSameEpochs(fixture.epochs(), SentEvents.views(replayed), EpochFixture.TOLERANCE);

      // Every line that could not count is a dead letter, with its reason, read from the steps topic.
      List<ConsumerRecord<String, byte[]>> dead = TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters());
      Map<String, Long> byReason = dead.stream().collect(java.util.stream.Collectors.groupingBy(JsonWireTest::reasonKind,
          java.util.TreeMap::new, java.util.stream.Collectors.counting()));
      long outside = fixture.refused().stream().filter(r -> r.line().contains("\"rank\":5")).count();
      assertThat(byReason).isEqualTo(Map.of("undecodable", 2L, "outside world_size", outside,
          "invalid step", (long) fixture.refused().size() - outside, "duplicate", 2L, "late", (long) fixture.passedOver() - 2));
      assertThat(dead).allSatisfy(r -> assertThat(header(r, "epochstream.source.topic")).isEqualTo(topics.steps()));
      // Dead letters from Kafka Streams' error hook: the bytes as sent, the reason and the source in headers.
      List<ConsumerRecord<String, byte[]>> undecodable = dead.stream().filter(r -> reasonKind(r).equals("undecodable")).toList();
      assertThat(undecodable).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactlyInAnyOrder(truncated, incomplete);
      assertThat(undecodable).extracting(r -> header(r, "epochstream.reason")).anySatisfy(m ->
          assertThat(m).contains("not a valid StepEvent JSON value: malformed JSON:"));
      assertThat(undecodable).extracting(r -> header(r, "epochstream.reason")).anySatisfy(m ->
          assertThat(m).contains("not a valid StepEvent JSON value: missing field"));
      // A JSON step the fold refuses: its dead letter is JSON, as it was written.
      assertThat(dead).filteredOn(r -> reasonKind(r).equals("outside world_size"))
          .allSatisfy(r -> assertThat(MAPPER.readTree(r.value()).get("rank").asInt()).isEqualTo(5));

      // Each rank's run_finished as a JSON value after its steps: the app's run retention counts from it.
      kcat.produce(topics.steps(), List.of(
          run + ":0\t{\"type\":\"run_finished\",\"run\":\"" + run + "\",\"rank\":0,\"status\":\"completed\"}",
          run + ":1\t{\"type\":\"run_finished\",\"run\":\"" + run + "\",\"rank\":1,\"status\":\"completed\"}"), dir);
      assertThat(awaitFinished(kafka, appId + "-run-activity-changelog", run)).isEqualTo("completed");
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).hasSameSizeAs(dead);
    }
  }

  /** What kind of refusal a dead letter's reason names. */
  private static String reasonKind(ConsumerRecord<String, byte[]> r) {
    String reason = header(r, "epochstream.reason");
    if (reason.startsWith("undecodable record: ")) {
      return "undecodable";
    }
    if (reason.contains("is outside world_size")) {
      return "outside world_size";
    }
    if (reason.startsWith("invalid step: ")) {
      return "invalid step";
    }
    if (reason.startsWith("duplicate step ")) {
      return "duplicate";
    }
    return reason.contains("is already closed") ? "late" : reason;
  }

  /** The status the stream app recorded for {@code run}'s finish, read from its activity store's changelog. */
  private static String awaitFinished(TestKafka kafka, String changelog, String run) throws Exception {
    // Each task that heard of the run keeps its own activity (the run line went to three keys): the
    // latest value per partition, finished on any.
    return Await.until("a finish of " + run + " in " + changelog, Duration.ofSeconds(60), () -> {
      Map<Integer, String> byPartition = new HashMap<>();
      for (ConsumerRecord<String, byte[]> r : TopicReader.recordsToEnd(kafka.clientConfig(), changelog)) {
        if (run.equals(r.key()) && r.value() != null) {
          byPartition.put(r.partition(), io.epochstream.retention.RunActivity.SERDE.decode(r.value()).finished());
        }
      }
      return byPartition.values().stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }, java.util.Objects::nonNull);
  }

  @Test
  void aRunWithAnAvroRankAndAJsonRankMergesToWhatEvalPrints(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    String run = "mixed-" + UUID.randomUUID().toString().substring(0, 6);
    List<String> lines = new ArrayList<>();
    lines.add(StepLines.runLine(run, 2));
    lines.addAll(StepLines.rank(run, 0, 2, 11));
    lines.addAll(StepLines.rank(run, 1, 2, 11));
    RunStarted started = (RunStarted) ((JsonEvent.Run) JsonLinesCodec.decode(lines.get(0), 0)).event().getPayload();
    String appId = "mixed-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      for (int rank = 0; rank < 2; rank++) {
        WireFormat format = rank == 0 ? WireFormat.AVRO : WireFormat.JSON;
        try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, run, rank, format)) {
          publisher.runStarted(started);
          for (String line : lines.subList(1, lines.size())) {
            StepEvent e = ((JsonEvent.Step) JsonLinesCodec.decode(line, 0)).event();
            if (e.getRank() != rank) {
              continue;
            }
            if (e.getPayload() instanceof StepOutput s) {
              publisher.step(e.getStage(), e.getEpoch(), s.getStep(), s.getBatchSize(), s.getLoss(), s.getPreds(), s.getTarget(), s.getScalars());
            } else {
              publisher.epochEnd(e.getStage(), e.getEpoch(), ((EpochEnd) e.getPayload()).getSteps());
            }
          }
          publisher.flush();
        }
      }
      List<ConsumerRecord<String, byte[]>> raw = TopicReader.recordsToEnd(kafka.clientConfig(), topics.steps());
      assertThat(raw).hasSize(lines.size() + 1).allSatisfy(r -> assertThat(r.value()[0])
          .as("rank of key %s written as %s", r.key(), r.key().endsWith(":0") ? "Avro" : "JSON")
          .isEqualTo(r.key().endsWith(":0") ? (byte) 0xC3 : (byte) '{'));

      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(90));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      SummaryView.assertSameEpochs(NaiveEpochs.of(SentLines.parse(lines)), SentEvents.views(summaries));
      assertThat(summaries.stream().map(JsonLinesCodec::encode).toList()).as("eval, a second check")
          .containsExactlyInAnyOrderElementsOf(eval(lines));
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
    }
  }

  private static List<String> eval(List<String> lines) throws Exception {
    return OfflineSummaries.of(lines);
  }

  private static int rankOf(String line) throws Exception {
    return MAPPER.readTree(line).path("rank").asInt();
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
