package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.event.Tensors;
import io.epochstream.ops.HttpEndpoint;
import io.epochstream.ops.KafkaProbe;
import io.epochstream.ops.Readiness;
import io.epochstream.ops.StreamAppReadiness;
import io.epochstream.publish.StepPublisher;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.EpochEnd;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.admin.TopicSetup;
import io.epochstream.cli.CliRun;
import org.apache.kafka.clients.admin.Admin;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.trainer.DefaultMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services as an operator runs them: health and readiness through their transitions, Prometheus
 * metrics that move with the work, and SIGTERM — a clean close with exit status 143 — for the
 * stream app, the trainer and a following logger, each a child process.
 */
@ExtendWith(SharedKafka.class)
class ServiceLifecycleTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int SIGTERM_STATUS = 143;
  @TempDir Path dir;

  record Reply(int status, String body) {}

  static Reply get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  static Reply awaitStatus(String url, int status, Duration timeout) throws Exception {
    return awaitStatus(url, status, "", timeout);
  }

  static Reply awaitStatus(String url, int status, String bodyPart, Duration timeout) throws Exception {
    return Await.until(url + " answering " + status + " with '" + bodyPart + "'", timeout, () -> get(url),
        r -> r.status() == status && r.body().contains(bodyPart));
  }

  @Test
  void readinessFollowsTheStreamAppAndKafkaWhileHealthStaysUp(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 1);
    try (HttpEndpoint endpoint = HttpEndpoint.bind("127.0.0.1:0", new PrometheusRegistry());
         KafkaProbe probe = new KafkaProbe(kafka.clientConfig());
         KafkaProbe deadKafka = new KafkaProbe(Map.of("bootstrap.servers", "127.0.0.1:1"))) {
      String base = "http://127.0.0.1:" + endpoint.port();
      assertThat(get(base + "/health").status()).isEqualTo(200);
      assertThat(get(base + "/ready").body()).contains("starting");

      MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "ready-" + UUID.randomUUID(), dir.resolve("s"));
      endpoint.readiness(Readiness.all(probe, new StreamAppReadiness(app::state)));
      awaitStatus(base + "/ready", 503, "stream app CREATED", Duration.ofSeconds(15));
      app.start(Duration.ofSeconds(60));
      awaitStatus(base + "/ready", 200, Duration.ofSeconds(15));
      app.close();
      awaitStatus(base + "/ready", 503, "stream app NOT_RUNNING", Duration.ofSeconds(5));
      assertThat(get(base + "/health").status()).isEqualTo(200);

      endpoint.readiness(deadKafka);
      assertThat(awaitStatus(base + "/ready", 503, "unreachable", Duration.ofSeconds(15)).body()).contains("127.0.0.1:1");
    }
  }

  @Test
  void streamServiceCountsItsWorkAndClosesCleanlyOnSigterm(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    Path state = dir.resolve("state");
    String appId = "sig-" + UUID.randomUUID();
    try (ServiceProcess stream = ServiceProcess.start("stream", "--bootstrap-servers", kafka.bootstrapServers(),
        "--topic-prefix", topics.prefix(), "--application-id", appId, "--state-dir", state.toString(), "--http", "127.0.0.1:0")) {
      Matcher running = stream.await("running on .*http://([0-9.]+:[0-9]+)", Duration.ofSeconds(120));
      String base = "http://" + running.group(1);
      awaitStatus(base + "/ready", 200, Duration.ofSeconds(30));
      assertThat(stream.output()).contains("--application-id", appId, "flag");

      int steps = 30;
      try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, "sig", 0)) {
        publisher.runStarted(1, DefaultMetrics.multiclass(3), Map.of(), Map.of());
        Random random = new Random(3);
        for (int step = 0; step < steps; step++) {
          float[] probs = new float[8 * 3];
          int[] target = new int[8];
          for (int i = 0; i < probs.length; i++) {
            probs[i] = random.nextFloat();
          }
          for (int i = 0; i < target.length; i++) {
            target[i] = random.nextInt(3);
          }
          publisher.step("train", 0, step, 8, 1.0, Tensors.ofFloats(probs, 8, 3), Tensors.ofInts(target, 8), Map.of());
        }
        publisher.epochEnd("train", 0, steps);
        publisher.flush();
      }
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));
      assertThat(TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer()))
          .singleElement().satisfies(s -> assertThat(s.getSteps()).isEqualTo(steps));

      // The clients' own counts (retries of an aborted transaction count again): at least what was done.
      String metrics = get(base + "/metrics").body();
      assertThat(counter(metrics, "epochstream_step_events_total")).isGreaterThanOrEqualTo(steps + 2);
      assertThat(counter(metrics, "epochstream_epoch_summaries_total")).isGreaterThanOrEqualTo(1);
      assertThat(counter(metrics, "epochstream_dead_letters_total")).isZero();
      assertThat(counter(metrics, "epochstream_epoch_close_latency_seconds_count{stage=\"train\"}")).isEqualTo(1);
      assertThat(get(base + "/runs").body()).contains("\"sig\"");

      assertThat(stream.terminate(Duration.ofSeconds(40))).isEqualTo(SIGTERM_STATUS);
      assertThat(stream.output()).contains("closed cleanly").doesNotContain("Exception");
      // A clean close leaves local state a restart can use as it is: the next instance on the same
      // state directory restores nothing from the changelogs. (An idle app killed with SIGKILL
      // passes this too, its last commit having flushed the stores; the check guards the close
      // path against leaving stores behind that need a restore.)
      AtomicLong restored = new AtomicLong();
      try (MetricsStreamApp again = new MetricsStreamApp(kafka.clientConfig(), topics, appId, state)) {
        again.streams().setGlobalStateRestoreListener(new StateRestoreListener() {
          @Override
          public void onRestoreStart(TopicPartition partition, String store, long start, long end) { }

          @Override
          public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long records) {
            restored.addAndGet(records);
          }

          @Override
          public void onRestoreEnd(TopicPartition partition, String store, long total) { }
        });
        again.start(Duration.ofSeconds(60));
      }
      assertThat(restored.get()).isZero();
    }
  }

  /**
   * A Kafka Streams client that stopped for good (here: its source topic was deleted under it) must
   * not leave a live process that passes liveness probes and folds nothing: the service exits 1
   * with the reason, so a supervisor restarts it.
   */
  @Test
  void aStreamServiceWhoseStreamsClientDiesExitsNonZeroWithTheReason(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 1);
    try (ServiceProcess stream = ServiceProcess.start("stream", "--bootstrap-servers", kafka.bootstrapServers(),
        "--topic-prefix", topics.prefix(), "--application-id", "dies-" + UUID.randomUUID(),
        "--state-dir", dir.resolve("dies").toString(), "--no-http")) {
      stream.await("running on", Duration.ofSeconds(120));
      try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(kafka.clientConfig())) {
        admin.deleteTopics(List.of(topics.steps())).all().get(30, TimeUnit.SECONDS);
      }
      assertThat(stream.waitFor(Duration.ofSeconds(90))).isEqualTo(1);
      assertThat(stream.output()).containsPattern("stream: the Kafka Streams client went to ERROR: .*; exiting \\(status 1\\)");
    }
  }

  @Test
  void trainerStopsAfterTheCurrentStepFlushesAndSaysSoOnSigterm(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    try (ServiceProcess train = ServiceProcess.start("train", "--bootstrap-servers", kafka.bootstrapServers(),
        "--topic-prefix", topics.prefix(), "--run", "sigterm", "--epochs", "200", "--samples", "8192", "--http", "127.0.0.1:0")) {
      // Steps flow: the trainer is mid-run.
      TopicReader.awaitRecords(kafka.clientConfig(), topics.steps(), 50, Duration.ofSeconds(120));
      assertThat(train.terminate(Duration.ofSeconds(40))).isEqualTo(SIGTERM_STATUS);
      Matcher said = train.await("terminated in epoch (\\d+) after (\\d+) train steps", Duration.ofSeconds(5));
      int epoch = Integer.parseInt(said.group(1));
      long trainSteps = Long.parseLong(said.group(2));

      List<StepEvent> events = TopicReader.readAll(kafka.clientConfig(), topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
      // Every step it reported is on Kafka (flushed), and the interrupted epoch has no end.
      assertThat(events.stream().filter(e -> e.getStage().equals("train") && e.getPayload() instanceof StepOutput).count())
          .isEqualTo(trainSteps);
      assertThat(events.stream().filter(e -> e.getStage().equals("train") && e.getEpoch() == epoch
          && e.getPayload() instanceof EpochEnd)).isEmpty();
      List<RunEvent> runs = TopicReader.readAll(kafka.clientConfig(), topics.runs(), AvroSerde.of(RunEvent.class).deserializer());
      assertThat(runs.stream().filter(r -> r.getPayload() instanceof RunFinished).map(r -> ((RunFinished) r.getPayload()).getStatus()))
          .containsExactly("terminated");
    }
  }

  @Test
  void followingLoggerClosesItsFilesOnSigterm(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 1);
    Path jsonl = dir.resolve("summaries.jsonl");
    try (ServiceProcess log = ServiceProcess.start("log", "--bootstrap-servers", kafka.bootstrapServers(),
        "--topic-prefix", topics.prefix(), "--follow", "--from-beginning", "--jsonl", jsonl.toString(), "--http", "127.0.0.1:0")) {
      String base = "http://" + log.await("log following .*http://([0-9.]+:[0-9]+)", Duration.ofSeconds(60)).group(1);
      awaitStatus(base + "/ready", 200, Duration.ofSeconds(30)); // subscribed
      assertThat(log.terminate(Duration.ofSeconds(30))).isEqualTo(SIGTERM_STATUS);
      assertThat(log.output()).doesNotContain("Exception");
      assertThat(jsonl).exists();
    }
  }

  @Test
  void aLoggerStartedBeforeTheTopicsExistWaitsForThemNotReadyMeanwhile(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.fresh();
    CliRun.Outcome once = CliRun.run("log", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix());
    assertThat(once.code()).isEqualTo(1);
    assertThat(once.err()).contains("no topics", topics.epochSummaries());

    try (ServiceProcess log = ServiceProcess.start("log", "--bootstrap-servers", kafka.bootstrapServers(),
        "--topic-prefix", topics.prefix(), "--follow", "--jsonl", dir.resolve("late.jsonl").toString(), "--http", "127.0.0.1:0")) {
      String base = "http://" + log.await("log following .*http://([0-9.]+:[0-9]+)", Duration.ofSeconds(60)).group(1);
      log.await("waiting for", Duration.ofSeconds(30));
      awaitStatus(base + "/ready", 503, "waiting for topics", Duration.ofSeconds(10));
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicSetup(topics, 1, (short) 1).ensure(admin);
      }
      awaitStatus(base + "/ready", 200, Duration.ofSeconds(30));
      assertThat(log.terminate(Duration.ofSeconds(30))).isEqualTo(SIGTERM_STATUS);
    }
  }

  private static double counter(String exposition, String series) {
    return exposition.lines().filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).trim().split(" ")[0]))
        .findFirst().orElseThrow(() -> new AssertionError(series + " not in:\n" + exposition));
  }
}
