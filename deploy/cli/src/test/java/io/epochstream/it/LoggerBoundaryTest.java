package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.CliRun;
import io.epochstream.event.Keys;
import io.epochstream.logger.TensorBoardScalars;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.StepMetrics;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loggers at the edges: records of runs whose ids cannot be directories (written straight to the
 * topics, as an old build or a foreign writer could), and a {@code --group} logger restarted while
 * a run goes on. Summaries and step values are produced onto the logger's topics directly: what is
 * under test is the logger, not the fold.
 */
@ExtendWith(SharedKafka.class)
class LoggerBoundaryTest {
  private static final AvroSerde<EpochSummary> SUMMARIES = AvroSerde.of(EpochSummary.class);
  private static final AvroSerde<StepMetrics> STEPS = AvroSerde.of(StepMetrics.class);
  @TempDir Path dir;

  @Test
  void aFollowingLoggerStaysUpAndReadyThroughRunsWhoseIdsCannotBeDirectories(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 1);
    Path csv = dir.resolve("logs/csv");
    Path tb = dir.resolve("logs/tb");
    try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
      for (String run : List.of("../../etc/passwd", "a/b/../../../x", "tab\there")) {
        for (int epoch = 0; epoch < 3; epoch++) {
          sendStep(producer, topics, run, epoch * 10L, 1.0);
          sendSummary(producer, topics, run, epoch, epoch * 10L + 9);
        }
      }
      sendSummary(producer, topics, "r1", 0, 9);
      producer.flush();
      try (ServiceProcess log = ServiceProcess.start("log", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          "--follow", "--from-beginning", "--csv", csv.toString(), "--tensorboard", tb.toString(), "--http", "127.0.0.1:0")) {
        String base = "http://" + log.await("log following .*http://([0-9.]+:[0-9]+)", Duration.ofSeconds(180)).group(1);
        awaitLines(csv.resolve("r1/metrics.csv"), 2);
        ServiceLifecycleTest.awaitStatus(base + "/ready", 200, Duration.ofSeconds(120));
        // The refused step values come on their own topic, read alongside the summaries: await them all.
        // 3 runs x 3 epochs x (a step value + a summary): every one refused, none twice.
        assertThat(awaitCounter(base, "epochstream_log_refused_records_total", 18)).isEqualTo(18);
        // Still following: a later summary of a good run is written.
        sendSummary(producer, topics, "r1", 1, 19);
        producer.flush();
        awaitLines(csv.resolve("r1/metrics.csv"), 3);
        assertThat(counter(base, "epochstream_log_refused_records_total")).as("nothing refused twice").isEqualTo(18);
        assertThat(log.terminate(Duration.ofSeconds(30))).isEqualTo(143);
        String out = log.output();
        assertThat(out.lines().filter(l -> l.startsWith("epochstream log: refused run"))).hasSize(3);
        assertThat(out).contains("skipped 6 record(s) of refused run '../../etc/passwd'").doesNotContain("Exception");
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()))
          .allMatch(p -> p.startsWith("logs/csv/r1/") || p.startsWith("logs/tb/r1/"));
    }
  }

  @Test
  void aGroupLoggerRestartedMissesNoStepValuePublishedWhileItWasDownAndWritesNoneTwice(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    Path csv = dir.resolve("csv");
    Path tb = dir.resolve("tb");
    String[] log = {"log", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
        "--group", "g-" + topics.prefix(), "--csv", csv.toString(), "--tensorboard", tb.toString(), "--no-http"};
    try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
      publishEpoch(producer, topics, 0);
      CliRun.Outcome first = CliRun.run(concat(log, "--from-beginning"));
      assertThat(first.code()).as(first.err()).isZero();
      // While no logger runs, epochs 1 and 2 are published.
      publishEpoch(producer, topics, 1);
      publishEpoch(producer, topics, 2);
      CliRun.Outcome second = CliRun.run(log);
      assertThat(second.code()).as(second.err()).isZero();
    }
    List<String> rows = Files.readAllLines(csv.resolve("r1/metrics.csv"));
    assertThat(rows.get(0)).isEqualTo("epoch,step,train_loss_epoch,train_loss_step");
    Map<Long, Long> stepRows = rows.stream().skip(1).filter(r -> r.split(",", -1)[2].isEmpty())
        .collect(Collectors.groupingBy(r -> Long.parseLong(r.split(",")[1]), Collectors.counting()));
    assertThat(stepRows).hasSize(30).allSatisfy((step, n) -> assertThat(n).as("rows of step %d", step).isEqualTo(1));
    assertThat(rows).hasSize(1 + 30 + 3);
    Map<String, List<TensorBoardScalars.Point>> tags = TensorBoardScalars.read(tb.resolve("r1"));
    assertThat(tags.get("train/loss_step")).extracting(TensorBoardScalars.Point::step)
        .containsExactlyElementsOf(LongStream.range(0, 30).boxed().toList());
    assertThat(tags.get("train/loss")).extracting(TensorBoardScalars.Point::step).containsExactly(9L, 19L, 29L);
  }

  private static String[] concat(String[] a, String... b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }

  private static void publishEpoch(KafkaProducer<String, byte[]> producer, Topics topics, int epoch) {
    for (long s = epoch * 10L; s < epoch * 10L + 10; s++) {
      sendStep(producer, topics, "r1", s, s / 100.0);
    }
    sendSummary(producer, topics, "r1", epoch, epoch * 10L + 9);
    producer.flush();
  }

  private static void sendStep(KafkaProducer<String, byte[]> producer, Topics topics, String run, long step, double loss) {
    StepMetrics m = new StepMetrics(run, "train", (int) (step / 10), 0, step, 0L, 4, step % 10 + 1, 4 * (step % 10 + 1), Map.of("loss", loss));
    producer.send(new ProducerRecord<>(topics.stepMetrics(), Keys.step(run, 0), STEPS.encode(m)));
  }

  private static void sendSummary(KafkaProducer<String, byte[]> producer, Topics topics, String run, int epoch, long lastStep) {
    Map<String, MetricValue> metrics = new HashMap<>();
    metrics.put("loss", new MetricValue(List.of(), List.of(1.0 / (epoch + 1))));
    EpochSummary s = EpochSummary.newBuilder().setRun(run).setStage("train").setEpoch(epoch).setComplete(true).setRanks(1)
        .setSteps(10).setSamples(40).setMetrics(metrics).setFirstEventTime(0).setLastEventTime(0).setClosedTime(0)
        .setLastStep(lastStep).build();
    producer.send(new ProducerRecord<>(topics.epochSummaries(), Keys.epoch(run, "train", epoch), SUMMARIES.encode(s)));
  }

  private static KafkaProducer<String, byte[]> producer(TestKafka kafka) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static void awaitLines(Path file, int lines) throws Exception {
    Await.until(lines + " lines in " + file, Duration.ofMinutes(5), () -> Files.exists(file) ? Files.readAllLines(file).size() : 0,
        n -> n >= lines);
  }

  /**
   * A counter of /metrics once it reached {@code atLeast}: the deadline is only there to end a hung
   * test (on a loaded machine the logger may take long); the value it reached is what the test checks.
   */
  private static long awaitCounter(String base, String name, long atLeast) throws Exception {
    return Await.until(name + " at " + atLeast + " or more", Duration.ofMinutes(5), () -> counter(base, name), n -> n >= atLeast);
  }

  private static long counter(String base, String name) throws Exception {
    return ServiceLifecycleTest.get(base + "/metrics").body().lines().filter(l -> l.startsWith(name + " "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(name.length() + 1).trim())).findFirst().orElse(0L);
  }
}
