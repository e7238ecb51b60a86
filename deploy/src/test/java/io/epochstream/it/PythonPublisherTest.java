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
 * The Python package (deploy/python): its own unittest suite, and a two-rank run written by its
 * Lightning callback (driven by the package's stand-in for Lightning's Trainer, Lightning not being
 * installed here), taken in by {@code publish --follow} or {@code publish --listen}, folded by the
 * stream app into the summaries {@code eval} prints for the same lines.
 */
@ExtendWith(SharedKafka.class)
class PythonPublisherTest {
  private static final Path PACKAGE = Path.of("python").toAbsolutePath();

  @TempDir Path dir;

  @BeforeAll
  static void needsPython() {
    RequiredTool.require(RequiredTool.runs("python3", "--version"), "python3 is not installed: skipping the Python package's tests");
  }

  @Test
  void thePythonPackagesUnitTestsPass() throws Exception {
    Result r = python(List.of("-m", "unittest", "discover", "-s", "tests", "-t", "."));
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
      assertThat(python(List.of("tests/write_run.py", events.toString(), run, "2")).code()).isZero();
      List<String> written = linesOf(events);
      // A stray writer's bad line is refused on its own: dead letters, with its reason; the run goes on.
      Files.writeString(events.resolve("stray.jsonl"), "{\"type\":\"step\",\"run\":\"" + run + "\"}\n");
      CliRun.Outcome publish = CliRun.run("publish", "--follow", events.toString(), "--value-format", "json",
          "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix());
      assertThat(publish.code()).as(publish.err()).isZero();
      assertThat(publish.err()).contains("stray.jsonl:1: step: missing field 'step' (sent to dead letters)");
      assertSummariesAsSent(kafka, appId, topics, written);
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
      assertThat(python(List.of("tests/write_run.py", "unix:" + socket, run, "2")).code()).isZero();
      CliRun.Outcome outcome = publish.get(60, TimeUnit.SECONDS);
      assertThat(outcome.code()).as(outcome.err()).isZero();
      // The same run as files, for eval: the writer is deterministic apart from the times.
      Path events = Files.createDirectories(dir.resolve("events"));
      assertThat(python(List.of("tests/write_run.py", events.toString(), run, "2")).code()).isZero();
      assertSummariesAsSent(kafka, appId, topics, linesOf(events));
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
    }
  }

  /**
   * The summaries once the app is done: each epoch once, with what the written lines hold — counted
   * here (two ranks, 4 train and 2 val batches each per epoch) and folded by the naive reference
   * from the lines as Jackson reads them — and what eval prints for them.
   */
  private static void assertSummariesAsSent(TestKafka kafka, String appId, Topics topics, List<String> lines) throws Exception {
    List<Sent> sent = SentLines.parse(lines);
    assertThat(sent.stream().filter(e -> e instanceof Sent.Step)).hasSize(2 * 2 * (4 + 2));
    List<ExpectedEpoch> expected = NaiveEpochs.of(sent);
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

  private record Result(int code, String output) {}

  private static Result python(List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3"));
    command.addAll(args);
    Process p = new ProcessBuilder(command).directory(PACKAGE.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("python3 %s finished", args).isTrue();
    return new Result(p.exitValue(), output);
  }
}
