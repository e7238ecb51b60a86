package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.cli.CliRun;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker as its own process, bounced (SIGTERM, then started again on its data
 * directory) while a trainer, the stream app and a following CSV logger — each a child process, as
 * an operator runs them — keep working: they carry on by themselves, every epoch closes complete
 * with its full sample count, and the CSV holds every row once. Kafka gone for longer than the
 * trainer can buffer ends the trainer with one line, and {@code runs} then calls its run stalled.
 */
class BrokerBounceTest {
  /** Epochs of the bounced run (each closes a train and a val summary). */
  private static final int EPOCHS = 10;
  /** Step events per epoch of the trainer's defaults: 3277 train samples in batches of 64, 819 val, and the two ends. */
  private static final int STEPS_PER_EPOCH = 52 + 13 + 2;
  @TempDir Path dir;

  @Test
  void aBrokerBouncedMidRunLosesNothingAndDoublesNothing() throws Exception {
    Path data = dir.resolve("data");
    Path csv = dir.resolve("csv");
    ServiceProcess broker = ServiceProcess.start("broker", "--data-dir", data.toString());
    try (ServiceProcess stream = startAfter(broker, "stream", "--data-dir", data.toString(), "--no-http");
         ServiceProcess log = ServiceProcess.start("log", "--data-dir", data.toString(), "--follow", "--from-beginning",
             "--csv", csv.toString(), "--no-http")) {
      String bootstrap = broker.await("broker ready at (\\S+)", Duration.ofSeconds(1)).group(1);
      stream.await("running on", Duration.ofSeconds(180));
      Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
      Topics topics = new Topics(Topics.DEFAULT_PREFIX);
      try (ServiceProcess train = ServiceProcess.start("train", "--data-dir", data.toString(), "--run", "bounce",
          "--epochs", Integer.toString(EPOCHS), "--no-http")) {
        // Bounced while the trainer produces: a fifth of its steps are out.
        TopicReader.awaitRecords(client, topics.steps(), EPOCHS * STEPS_PER_EPOCH / 5, Duration.ofSeconds(300));
        assertThat(broker.terminate(Duration.ofSeconds(60))).isEqualTo(143);
        broker = ServiceProcess.start("broker", "--data-dir", data.toString());
        assertThat(broker.await("broker ready at (\\S+)", Duration.ofSeconds(180)).group(1)).isEqualTo(bootstrap);
        // The trainer carries on by itself and ends its run.
        assertThat(train.waitFor(Duration.ofSeconds(300))).as(train.output()).isZero();
      }
      // Every epoch closes once, with what the naive reference computes from the steps the trainer
      // published (and eval agrees), once the app has read them all.
      StreamDrain.await(client, MetricsStreamApp.DEFAULT_APPLICATION_ID, topics, Duration.ofSeconds(120));
      List<StepEvent> steps = TopicReader.readAll(client, topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
      assertThat(steps).filteredOn(e -> e.getPayload() instanceof io.epochstream.schema.StepOutput).hasSize(EPOCHS * (52 + 13));
      List<EpochSummary> summaries = TopicReader.readAll(client, topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer());
      assertThat(summaries).hasSize(2 * EPOCHS).allSatisfy(s -> {
        // 4096 blobs, 20 % held out (the trainer's defaults): 3277 train and 819 val samples.
        assertThat(s.getSamples()).isEqualTo(s.getStage().equals("train") ? 3277 : 819);
        assertThat(s.getSteps()).isEqualTo(s.getStage().equals("train") ? 52 : 13);
      });
      SummaryView.assertSameEpochs(SentEvents.expected(steps), SentEvents.views(summaries));
      assertThat(summaries.stream().map(JsonLinesCodec::encode).sorted().toList()).as("eval, a second check")
          .isEqualTo(OfflineSummaries.ofEvents(steps).stream().sorted().toList());

      // The following logger reconnected by itself: a row per closed epoch and stage, no line twice.
      long train = summaries.stream().filter(s -> s.getStage().equals("train")).count();
      long val = summaries.size() - train;
      List<String> rows = awaitEpochRows(csv.resolve("bounce").resolve("metrics.csv"), train, val, Duration.ofSeconds(60));
      assertThat(new HashSet<>(rows)).hasSameSizeAs(rows);
      assertThat(log.terminate(Duration.ofSeconds(30))).isEqualTo(143);
      assertThat(stream.terminate(Duration.ofSeconds(40))).isEqualTo(143);
    } finally {
      broker.close();
    }
  }

  @Test
  void kafkaAwayLongerThanTheTrainerBuffersFailsItWithOneLineAndRunsCallsTheRunStalled() throws Exception {
    Path data = dir.resolve("data");
    // The trainer buffers for delivery.timeout.ms (120 s by default); shortened so the test is quick.
    Path clientConfig = dir.resolve("client.properties");
    Files.writeString(clientConfig, "delivery.timeout.ms=8000\nrequest.timeout.ms=3000\nmax.block.ms=8000\n");
    ServiceProcess broker = ServiceProcess.start("broker", "--data-dir", data.toString());
    try (ServiceProcess train = startAfter(broker, "train", "--data-dir", data.toString(), "--client-config", clientConfig.toString(),
        "--run", "abandoned", "--epochs", "100000", "--no-http")) {
      String bootstrap = broker.await("broker ready at (\\S+)", Duration.ofSeconds(1)).group(1);
      TopicReader.awaitRecords(Map.of("bootstrap.servers", bootstrap), new Topics(Topics.DEFAULT_PREFIX).steps(), 50, Duration.ofSeconds(120));
      assertThat(broker.terminate(Duration.ofSeconds(60))).isEqualTo(143);

      assertThat(train.waitFor(Duration.ofSeconds(120))).as(train.output()).isEqualTo(1);
      List<String> errors = train.output().lines().filter(l -> l.contains("train: error:")).toList();
      assertThat(errors).hasSize(1);
      assertThat(errors.get(0)).contains("Kafka");
      assertThat(train.output()).doesNotContain("\tat ");

      broker = ServiceProcess.start("broker", "--data-dir", data.toString());
      broker.await("broker ready at", Duration.ofSeconds(120));
      CliRun.Outcome fresh = CliRun.run("runs", "--data-dir", data.toString());
      assertThat(row(fresh.out(), "abandoned")).contains("running");
      // Silent for longer than it is told to tolerate: a later call calls it stalled.
      Await.until("runs calling the run stalled", Duration.ofSeconds(60),
          () -> row(CliRun.run("runs", "--data-dir", data.toString(), "--stalled-after", "PT1S").out(), "abandoned"),
          r -> r.contains("stalled"));
    } finally {
      broker.close();
    }
  }

  /** Starts a command once the broker says it is ready (the command finds it through the data directory). */
  private static ServiceProcess startAfter(ServiceProcess broker, String... args) throws InterruptedException {
    broker.await("broker ready at", Duration.ofSeconds(120));
    return ServiceProcess.start(args);
  }

  private static String row(String table, String run) {
    return table.lines().filter(l -> l.startsWith(run + " ")).findFirst().orElseThrow(() -> new AssertionError(run + " not in:\n" + table));
  }

  /** The CSV's data rows once it holds {@code train} train rows and {@code val} val rows. */
  private static List<String> awaitEpochRows(Path file, long train, long val, Duration timeout) throws Exception {
    List<String> lines = Await.until(train + " train and " + val + " val rows in " + file, timeout,
        () -> Files.exists(file) ? Files.readAllLines(file) : List.<String>of(), l -> {
          if (l.isEmpty()) {
            return false;
          }
          List<String> header = Arrays.asList(l.get(0).split(","));
          List<String> rows = l.subList(1, l.size());
          return filled(rows, header.indexOf("train_acc")) == train && filled(rows, header.indexOf("val_acc")) == val;
        });
    return lines.subList(1, lines.size());
  }

  private static long filled(List<String> rows, int column) {
    return column < 0 ? 0 : rows.stream().map(r -> r.split(",", -1)).filter(c -> c.length > column && !c[column].isEmpty()).count();
  }
}
