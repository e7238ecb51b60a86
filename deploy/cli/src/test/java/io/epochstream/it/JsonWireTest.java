package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.publish.StepPublisher;
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
 * lines, the stream app folds them and writes JSON summaries, kcat reads them back, and they are
 * the lines {@code eval} prints for the same input.
 */
@ExtendWith(SharedKafka.class)
class JsonWireTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** What a summary value carries beyond eval's line (times, throughput, offsets, best so far). */
  private static final List<String> WIRE_ONLY = List.of("first_event_time", "last_event_time", "closed_time",
      "wall_seconds", "samples_per_second", "last_step", "offsets", "best");

  @TempDir Path dir;

  @Test
  void aRunProducedAsJsonByKcatFoldsToWhatEvalPrintsAndKcatReadsTheSummariesAsJson(TestKafka kafka) throws Exception {
    Kcat kcat = Kcat.against(kafka.bootstrapServers());
    Topics topics = TestTopics.create(kafka, 2);
    String run = "kcat-" + UUID.randomUUID().toString().substring(0, 6);
    List<String> lines = new ArrayList<>();
    lines.add(StepLines.runLine(run, 2));
    lines.addAll(StepLines.rank(run, 0, 2, 7));
    lines.addAll(StepLines.rank(run, 1, 2, 7));

    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
    config.put(WireFormat.PROPERTY, "json");
    String appId = "json-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(config, topics, appId, dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      // As the JVM publisher sends it: the run line on the runs topic, and ahead of each rank's steps on its key.
      kcat.produce(topics.runs(), List.of(run + "\t" + lines.get(0)), dir);
      List<String> steps = new ArrayList<>();
      for (int rank = 0; rank < 2; rank++) {
        steps.add(run + ":" + rank + "\t" + lines.get(0));
      }
      // Bad values on the way: neither may stop the app or change a summary.
      steps.add(run + ":0\t{\"type\":\"step\",\"run\":");
      steps.add(run + ":1\t{\"type\":\"step\",\"run\":\"" + run + "\",\"stage\":\"train\"}");
      // A JSON step the fold refuses (rank 5 of 2): its dead letter is JSON, as it was written.
      String outside = "{\"type\":\"step\",\"run\":\"" + run + "\",\"stage\":\"train\",\"epoch\":0,\"rank\":5,\"step\":0,"
          + "\"batch_size\":1,\"loss\":0.5}";
      steps.add(run + ":5\t" + outside);
      for (String l : lines.subList(1, lines.size())) {
        steps.add(run + ":" + rankOf(l) + "\t" + l);
      }
      kcat.produce(topics.steps(), steps, dir);

      List<String> summaries = kcat.consume(topics.epochSummaries(), 4, 90);
      assertThat(summaries).hasSize(4);
      List<String> evalLines = eval(lines);
      List<String> asEval = new ArrayList<>();
      for (String value : summaries) {
        ObjectNode node = (ObjectNode) MAPPER.readTree(value);
        assertThat(node.has("closed_time")).as("a wire summary carries its times: %s", value).isTrue();
        node.remove(WIRE_ONLY);
        asEval.add(node.toString());
      }
      assertThat(asEval).containsExactlyInAnyOrderElementsOf(evalLines);
      assertThat(String.join("\n", asEval)).as("rank 1's NaN loss is counted").contains("\"dropped_nans\":{\"loss\":1}");
      // Replay reads the JSON summaries' offsets and the JSON steps they point at, and folds them again.
      List<EpochSummary> replayed = new ReplayService(kafka.clientConfig(), topics)
          .replay(new ReplayService.Selection(run, null, 0, Integer.MAX_VALUE), null);
      assertThat(replayed.stream().map(JsonLinesCodec::encode).toList()).containsExactlyInAnyOrderElementsOf(evalLines);

      List<ConsumerRecord<String, byte[]>> all = TopicReader.records(kafka.clientConfig(), topics.deadLetters(), 3, Duration.ofSeconds(30));
      assertThat(all).hasSize(3);
      // Refused as outside world_size 2, or as an unknown run where its partition's task got no run line.
      assertThat(all).filteredOn(r -> !header(r, "epochstream.reason").startsWith("undecodable record: ")).singleElement()
          .satisfies(r -> assertThat(MAPPER.readTree(r.value()).get("rank").asInt()).isEqualTo(5));
      List<ConsumerRecord<String, byte[]>> dead = all.stream()
          .filter(r -> header(r, "epochstream.reason").startsWith("undecodable record: ")).toList();
      assertThat(dead).hasSize(2);
      // Dead letters from Kafka Streams' error hook: the bytes as sent, the reason and the source in headers.
      assertThat(dead).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
          .containsExactlyInAnyOrder(steps.get(2).split("\t")[1], steps.get(3).split("\t")[1]);
      assertThat(dead).extracting(r -> header(r, "epochstream.reason")).anySatisfy(m ->
          assertThat(m).startsWith("undecodable record: ").contains("not a valid StepEvent JSON value: malformed JSON:"));
      assertThat(dead).extracting(r -> header(r, "epochstream.reason")).anySatisfy(m ->
          assertThat(m).startsWith("undecodable record: ").contains("not a valid StepEvent JSON value: missing field"));
      assertThat(dead).allSatisfy(r -> assertThat(header(r, "epochstream.source.topic")).isEqualTo(topics.steps()));

      // Each rank's run_finished as a JSON value after its steps: the app's run retention counts from it.
      kcat.produce(topics.steps(), List.of(
          run + ":0\t{\"type\":\"run_finished\",\"run\":\"" + run + "\",\"rank\":0,\"status\":\"completed\"}",
          run + ":1\t{\"type\":\"run_finished\",\"run\":\"" + run + "\",\"rank\":1,\"status\":\"completed\"}"), dir);
      assertThat(awaitFinished(kafka, appId + "-run-activity-changelog", run)).isEqualTo("completed");
      assertThat(TopicReader.records(kafka.clientConfig(), topics.deadLetters(), 4, Duration.ofSeconds(2))).hasSize(3);
    }
  }

  /** The status the stream app recorded for {@code run}'s finish, read from its activity store's changelog. */
  private static String awaitFinished(TestKafka kafka, String changelog, String run) throws InterruptedException {
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
    while (java.time.Instant.now().isBefore(deadline)) {
      String status = null;
      for (ConsumerRecord<String, byte[]> r : TopicReader.records(kafka.clientConfig(), changelog, Integer.MAX_VALUE, Duration.ofSeconds(2))) {
        if (run.equals(r.key()) && r.value() != null) {
          status = io.epochstream.retention.RunActivity.SERDE.decode(r.value()).finished();
        }
      }
      if (status != null) {
        return status;
      }
      Thread.sleep(500);
    }
    return null;
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
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "mixed-" + UUID.randomUUID(), dir.resolve("state"))) {
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
      List<ConsumerRecord<String, byte[]>> raw = TopicReader.records(kafka.clientConfig(), topics.steps(), lines.size(), Duration.ofSeconds(30));
      assertThat(raw).allSatisfy(r -> assertThat(r.value()[0])
          .as("rank of key %s written as %s", r.key(), r.key().endsWith(":0") ? "Avro" : "JSON")
          .isEqualTo(r.key().endsWith(":0") ? (byte) 0xC3 : (byte) '{'));

      List<EpochSummary> summaries = TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer(), 4, Duration.ofSeconds(90));
      assertThat(summaries).hasSize(4).allSatisfy(s -> assertThat(s.getRanks()).isEqualTo(2));
      assertThat(summaries.stream().map(JsonLinesCodec::encode).toList()).containsExactlyInAnyOrderElementsOf(eval(lines));
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
