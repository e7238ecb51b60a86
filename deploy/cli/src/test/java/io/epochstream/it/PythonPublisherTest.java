package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.CliRun;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.testing.RequiredTool;
import io.epochstream.reference.ExpectedEpoch;
import io.epochstream.reference.NaiveEpochs;
import io.epochstream.reference.Sent;
import io.epochstream.reference.SentLines;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.schema.EpochSummary;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python package (trainer/python): its own unittest suite, and a two-rank run written by its
 * Lightning callback (driven by the package's stand-in for Lightning's Trainer, Lightning not being
 * installed here), taken in by {@code publish --follow}, {@code publish --listen}, or sent straight
 * to the topics by the callback's Kafka target (Python's confluent-kafka), folded by the stream app.
 * The oracle is what the module handed the callback, kept by the test's script with the standard
 * library's json alone (no part of the package's encoding) and folded by the naive reference;
 * {@code eval} over the written lines is a second check.
 */
@ExtendWith(SharedKafka.class)
class PythonPublisherTest {
  private static final Path PACKAGE = Path.of("../../trainer/python").toAbsolutePath();

  @TempDir Path dir;

  @BeforeAll
  static void needsPython() {
    RequiredTool.require(RequiredTool.runs("python3", "--version"), "python3 is not installed: skipping the Python package's tests");
  }

  @Test
  void thePythonPackagesUnitTestsPass() throws Exception {
    ChildProcess.Result r = python(List.of("-m", "unittest", "discover", "-s", "tests", "-t", "."));
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("OK");
  }

  @Test
  void rankFilesWrittenByTheCallbackThroughPublishFollowFoldToWhatEvalPrints(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    String run = "py-" + UUID.randomUUID().toString().substring(0, 6);
    Path events = Files.createDirectories(dir.resolve("events"));
    String appId = "py-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      Path truth = dir.resolve("truth.json");
      assertThat(python(List.of("tests/write_run.py", events.toString(), run, "2", truth.toString())).code()).isZero();
      List<String> written = linesOf(events);
      // A stray writer's bad line is refused on its own: dead letters, with its reason; the run goes on.
      Files.writeString(events.resolve("stray.jsonl"), "{\"type\":\"step\",\"run\":\"" + run + "\"}\n");
      CliRun.Outcome publish = CliRun.run("publish", "--follow", events.toString(), "--value-format", "json",
          "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix());
      assertThat(publish.code()).as(publish.err()).isZero();
      assertThat(publish.err()).contains("stray.jsonl:1: step: missing field 'step' (sent to dead letters)");
      assertSummariesAsSent(kafka, appId, topics, written, truth);
      List<ConsumerRecord<String, byte[]>> dead = TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters());
      assertThat(dead).singleElement().satisfies(r -> {
        assertThat(new String(r.headers().lastHeader("epochstream.reason").value(), StandardCharsets.UTF_8)).isEqualTo("step: missing field 'step'");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).startsWith("{\"type\":\"step\"");
      });
    }
  }

  @Test
  void ranksConnectedToPublishListenFoldToWhatEvalPrints(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    String run = "pysock-" + UUID.randomUUID().toString().substring(0, 6);
    Path socket = dir.resolve("publish.sock");
    String appId = "py-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      CompletableFuture<CliRun.Outcome> publish = CompletableFuture.supplyAsync(() -> CliRun.run("publish",
          "--listen", "unix:" + socket, "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()));
      Await.until("publish listening on " + socket, Duration.ofSeconds(30), () -> {
        assertThat(publish).as("publish still running").isNotDone();
        return Files.exists(socket);
      });
      Path truth = dir.resolve("truth.json");
      assertThat(python(List.of("tests/write_run.py", "unix:" + socket, run, "2", truth.toString())).code()).isZero();
      CliRun.Outcome outcome = publish.get(60, TimeUnit.SECONDS);
      assertThat(outcome.code()).as(outcome.err()).isZero();
      // The same run as files, for eval: the writer is deterministic apart from the times.
      Path events = Files.createDirectories(dir.resolve("events"));
      assertThat(python(List.of("tests/write_run.py", events.toString(), run, "2")).code()).isZero();
      assertSummariesAsSent(kafka, appId, topics, linesOf(events), truth);
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
    }
  }

  /** The callback's {@code kafka:} target, Python's confluent-kafka writing JSON values straight to the steps and runs topics. */
  @Test
  void ranksWritingStraightToKafkaFoldToWhatTheModuleHandedTheCallback(TestKafka kafka) throws Exception {
    RequiredTool.require(RequiredTool.runs(DEBIAN_PYTHON, "-c", "import confluent_kafka"),
        "Debian's python3-confluent-kafka is not installed: skipping the callback's Kafka target");
    Topics topics = TestTopics.create(kafka, 2);
    String run = "pykafka-" + UUID.randomUUID().toString().substring(0, 6);
    String appId = "py-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      Path truth = dir.resolve("truth.json");
      ChildProcess.Result r = python(DEBIAN_PYTHON, Map.of("EPOCHSTREAM_TOPIC_PREFIX", topics.prefix()),
          List.of("tests/write_run.py", "kafka:" + kafka.bootstrapServers(), run, "2", truth.toString()));
      assertThat(r.code()).as(r.output()).isZero();
      // What went to the steps topic, as JSON lines: every rank's events once, in its order.
      List<String> lines = TopicReader.recordsToEnd(kafka.clientConfig(), topics.steps()).stream()
          .map(rec -> new String(rec.value(), StandardCharsets.UTF_8)).toList();
      assertSummariesAsSent(kafka, appId, topics, lines, truth);
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.runs())).extracting(ConsumerRecord::key)
          .as("each rank's run line and run_finished, keyed by run").containsOnly(run).hasSize(4);
    }
  }

  /**
   * The summaries once the app is done: each epoch once, with what the module handed the callback
   * ({@code truth}: two ranks, 4 train and 2 val batches each per epoch, folded by the naive
   * reference), and what eval prints for the written lines.
   */
  private static void assertSummariesAsSent(TestKafka kafka, String appId, Topics topics, List<String> lines, Path truth)
      throws Exception {
    assertThat(SentLines.parse(lines).stream().filter(e -> e instanceof Sent.Step)).as("step lines written").hasSize(2 * 2 * (4 + 2));
    List<Sent> handed = handedToTheCallback(truth);
    assertThat(handed.stream().filter(e -> e instanceof Sent.Step)).hasSize(2 * 2 * (4 + 2));
    List<ExpectedEpoch> expected = NaiveEpochs.of(handed);
    assertThat(expected).hasSize(4);
    assertThat(expected).filteredOn(e -> e.stage().equals("train") && e.epoch() == 0).singleElement()
        .satisfies(e -> assertThat(e.droppedNans()).as("rank 1's NaN loss is counted").isEqualTo(Map.of("loss", 1L)));
    StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(90));
    List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
        EventSerde.summaries(WireFormat.AVRO).deserializer());
    SummaryView.assertSameEpochs(expected, SentEvents.views(summaries));
    assertThat(summaries.stream().map(JsonLinesCodec::encode).toList()).as("eval, a second check")
        .containsExactlyInAnyOrderElementsOf(OfflineSummaries.of(lines));
  }

  private static List<String> linesOf(Path events) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(events)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return lines;
  }

  /**
   * What the module handed the callback, as {@code write_run.py} kept it (the standard library's
   * json, NaN bare), in the naive reference's terms: each rank's batches of a stage's epoch numbered
   * in order, then that epoch's end. Read with Jackson's tree model alone.
   */
  private static List<Sent> handedToTheCallback(Path truth) throws IOException {
    com.fasterxml.jackson.databind.JsonNode t = new com.fasterxml.jackson.databind.ObjectMapper()
        .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature()).readTree(truth.toFile());
    String run = t.get("run").asText();
    Map<String, com.fasterxml.jackson.databind.JsonNode> metrics = new java.util.LinkedHashMap<>();
    t.get("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue()));
    Map<String, String> scalars = new java.util.LinkedHashMap<>();
    t.get("scalars").fields().forEachRemaining(e -> scalars.put(e.getKey(), e.getValue().asText()));
    List<Sent> out = new ArrayList<>(List.of(new Sent.Run(run, t.get("world_size").asInt(), metrics, scalars)));
    Sent.End open = null;
    long step = 0;
    for (com.fasterxml.jackson.databind.JsonNode b : t.get("batches")) {
      Sent.End group = new Sent.End(run, b.get("stage").asText(), b.get("epoch").asInt(), b.get("rank").asInt());
      if (!group.equals(open)) {
        if (open != null) {
          out.add(open);
        }
        open = group;
        step = 0;
      }
      com.fasterxml.jackson.databind.JsonNode p = b.get("preds");
      double[][] preds = new double[p.size()][];
      for (int i = 0; i < p.size(); i++) {
        preds[i] = new double[p.get(i).size()];
        for (int c = 0; c < preds[i].length; c++) {
          preds[i][c] = p.get(i).get(c).asDouble();
        }
      }
      double[] target = new double[b.get("target").size()];
      for (int i = 0; i < target.length; i++) {
        target[i] = b.get("target").get(i).asDouble();
      }
      Map<String, Double> values = b.has("lr") ? Map.of("lr", b.get("lr").asDouble()) : Map.of();
      out.add(new Sent.Step(run, group.stage(), group.epoch(), group.rank(), step++, target.length, b.get("loss").asDouble(), preds,
          target, values));
    }
    if (open != null) {
      out.add(open);
    }
    return out;
  }

  /** Debian's python3: the one with confluent-kafka (a pyenv's python3 may shadow it on PATH). */
  private static final String DEBIAN_PYTHON = "/usr/bin/python3";

  private static ChildProcess.Result python(List<String> args) throws Exception {
    return python("python3", Map.of(), args);
  }

  private static ChildProcess.Result python(String python, Map<String, String> env, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of(python));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(PACKAGE.toFile());
    builder.environment().putAll(env);
    return ChildProcess.run(builder, 120);
  }
}
