package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.CliRun;
import io.epochstream.cli.Main;
import io.epochstream.event.Keys;
import io.epochstream.event.ParamValues;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.publish.ControlListener;
import io.epochstream.reference.EpochFixture;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.AvroSerde;
import io.epochstream.testing.RequiredTool;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults and fuzz against one real stream app, shared by the cases (each finds its own records by
 * where they landed): each kind of bad record on its own — corrupted Avro headers, truncations,
 * random bytes, an oversize record, a step under another rank's key, an event on the wrong topic,
 * runs announced with invalid metrics, garbage on every topic the product reads, from the JVM, kcat
 * and Python's confluent-kafka — is a dead letter, exactly one per record, with its reason and the
 * topic, partition and offset it was read at; every send is acknowledged first. Mutated JSON files
 * are published whole or refused at their first bad line, and a valid run sent among all of it gets
 * the summaries TorchMetrics computed for it. The app never stops.
 */
@ExtendWith(SharedKafka.class)
class FaultAndFuzzTest {
  private static final AvroSerde<StepEvent> STEPS = AvroSerde.of(StepEvent.class);
  private static final String UNDECODABLE = "undecodable record: ";
  @TempDir static Path dir;
  private static TestKafka kafka;
  private static Topics topics;
  private static String appId;
  private static MetricsStreamApp app;
  private static KafkaProducer<String, byte[]> raw;

  @BeforeAll
  static void start(TestKafka broker) throws Exception {
    kafka = broker;
    topics = TestTopics.create(kafka, 2);
    appId = "fz-" + UUID.randomUUID();
    app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("state"));
    app.start(Duration.ofSeconds(90));
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
    raw = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stop() {
    raw.close();
    assertThat(app.state()).as("the app never stopped").isEqualTo(KafkaStreams.State.RUNNING);
    app.close();
  }

  /** Where a record landed: what its dead letter's source headers must say. */
  private record Landed(String topic, int partition, long offset, byte[] value) {}

  /** Sends each record and waits for its acknowledgement. */
  private static List<Landed> send(List<ProducerRecord<String, byte[]>> records) throws Exception {
    List<Landed> out = new ArrayList<>();
    for (ProducerRecord<String, byte[]> r : records) {
      RecordMetadata m = raw.send(r).get(30, TimeUnit.SECONDS);
      out.add(new Landed(m.topic(), m.partition(), m.offset(), r.value()));
    }
    return out;
  }

  /**
   * Once the app is done: for each landed record, the one dead letter that names it as its source
   * (topic, partition, offset), carrying its bytes; a record with none or two fails the test.
   */
  private static List<ConsumerRecord<String, byte[]>> deadLettersOf(List<Landed> landed) throws Exception {
    StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(90));
    Map<String, List<ConsumerRecord<String, byte[]>>> bySource = new HashMap<>();
    for (ConsumerRecord<String, byte[]> d : TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())) {
      bySource.computeIfAbsent(source(d), k -> new ArrayList<>()).add(d);
    }
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    for (Landed l : landed) {
      String where = l.topic() + "-" + l.partition() + "@" + l.offset();
      List<ConsumerRecord<String, byte[]>> found = bySource.getOrDefault(where, List.of());
      assertThat(found).as("dead letters of the record at " + where).hasSize(1);
      if (reason(found.get(0)).startsWith(UNDECODABLE)) {
        assertThat(found.get(0).value()).as("the bytes of the record at " + where).isEqualTo(l.value());
      } else {
        // Refused after decoding: the event written again as the app reads steps, the same event.
        assertThat(STEPS.decode(found.get(0).value())).as("the event of the record at " + where).isEqualTo(STEPS.decode(l.value()));
      }
      out.add(found.get(0));
    }
    return out;
  }

  private static String source(ConsumerRecord<String, byte[]> d) {
    return header(d, "epochstream.source.topic") + "-" + header(d, "epochstream.source.partition") + "@"
        + header(d, "epochstream.source.offset");
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String reason(ConsumerRecord<String, byte[]> r) {
    return header(r, "epochstream.reason");
  }

  /** A small valid run's events as the JVM publisher sends them: Avro, keyed run:rank. */
  private static List<ProducerRecord<String, byte[]>> validEvents(String run) {
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
    for (String line : RealisticScaleTest.ranksJsonLines(run, 2, 1, 9, "train").split("\n")) {
      JsonEvent e = JsonLinesCodec.decode(line, 1L);
      if (e instanceof JsonEvent.Run r && r.event().getPayload() instanceof RunStarted started) {
        for (int rank = 0; rank < started.getWorldSize(); rank++) {
          out.add(new ProducerRecord<>(topics.steps(), Keys.step(run, rank), STEPS.encode(new StepEvent(run, "", 0, rank, 1L, started))));
        }
      } else if (e instanceof JsonEvent.Step s) {
        out.add(new ProducerRecord<>(topics.steps(), Keys.step(run, s.event().getRank()), STEPS.encode(s.event())));
      }
    }
    return out;
  }

  /** Copies of {@code run}'s valid step events, each changed by {@code fault}. */
  private static List<ProducerRecord<String, byte[]>> faulted(String run, Function<byte[], byte[]> fault) {
    return validEvents(run).stream().map(r -> new ProducerRecord<>(r.topic(), r.key(), fault.apply(r.value().clone()))).toList();
  }

  private static void assertUndecodable(List<ConsumerRecord<String, byte[]>> dead, String topic) {
    assertThat(dead).allSatisfy(d -> {
      assertThat(reason(d)).startsWith(UNDECODABLE);
      assertThat(header(d, "epochstream.exception")).isNotNull();
      assertThat(header(d, "epochstream.source.topic")).isEqualTo(topic);
    });
  }

  private static boolean decodes(byte[] bytes) {
    try {
      STEPS.decode(bytes);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Test
  void avroEventsWithACorruptedMarkerOrSchemaFingerprintAreDeadLetteredAsUndecodable() throws Exception {
    Random random = new Random(1);
    // The first ten bytes are the marker C3 01 and the writer schema's fingerprint.
    List<ProducerRecord<String, byte[]>> flipped = faulted("fz-flip", bytes -> {
      for (int f = 1 + random.nextInt(3); f > 0; f--) {
        bytes[random.nextInt(10)] ^= (byte) (1 << random.nextInt(8));
      }
      return bytes;
    });
    assertThat(flipped).noneSatisfy(r -> assertThat(decodes(r.value())).isTrue());
    assertUndecodable(deadLettersOf(send(flipped)), topics.steps());
  }

  @Test
  void truncatedEventsAreDeadLetteredAsUndecodable() throws Exception {
    Random random = new Random(2);
    List<ProducerRecord<String, byte[]>> truncated = faulted("fz-cut", bytes -> Arrays.copyOf(bytes, random.nextInt(bytes.length)));
    assertThat(truncated).noneSatisfy(r -> assertThat(decodes(r.value())).isTrue());
    assertUndecodable(deadLettersOf(send(truncated)), topics.steps());
  }

  @Test
  void randomBytesAndAnOversizeRecordAreDeadLetteredAsUndecodable() throws Exception {
    Random random = new Random(3);
    List<ProducerRecord<String, byte[]>> garbage = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      byte[] bytes = new byte[1 + random.nextInt(64)];
      random.nextBytes(bytes);
      garbage.add(new ProducerRecord<>(topics.steps(), "fz-random:" + i, bytes));
    }
    byte[] oversize = new byte[3 << 20]; // over Kafka's default 1 MiB, under the product's limit
    random.nextBytes(oversize);
    garbage.add(new ProducerRecord<>(topics.steps(), "fz-random:0", oversize));
    assertUndecodable(deadLettersOf(send(garbage)), topics.steps());
  }

  @Test
  void aStepSentUnderAnotherRanksKeyIsDeadLetteredForItsKey() throws Exception {
    List<ProducerRecord<String, byte[]>> events = validEvents("fz-keys");
    List<ProducerRecord<String, byte[]>> misKeyed = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      ProducerRecord<String, byte[]> e = events.get(i);
      StepEvent decoded = STEPS.decode(e.value());
      boolean step = !(decoded.getPayload() instanceof RunStarted);
      misKeyed.add(step ? new ProducerRecord<>(e.topic(), "fz-keys:" + (7 + i % 5), e.value()) : e);
    }
    List<Landed> landed = send(misKeyed);
    List<Landed> wrong = new ArrayList<>();
    for (int i = 0; i < landed.size(); i++) {
      if (misKeyed.get(i).key().endsWith(":" + (7 + i % 5))) {
        wrong.add(landed.get(i));
      }
    }
    List<ConsumerRecord<String, byte[]>> dead = deadLettersOf(wrong);
    assertThat(dead).hasSize(events.size() - 2).allSatisfy(d -> assertThat(reason(d))
        .matches("key 'fz-keys:(7|8|9|10|11)' is not the event's run:rank 'fz-keys:[01]'"));
  }

  @Test
  void aStepEventOnThePartialsTopicIsDeadLetteredThere() throws Exception {
    List<ProducerRecord<String, byte[]>> misplaced = validEvents("fz-topic").stream()
        .map(r -> new ProducerRecord<>(topics.partials(), r.key(), r.value())).toList();
    assertUndecodable(deadLettersOf(send(misplaced)), topics.partials());
  }

  @Test
  void runsAnnouncedWithInvalidMetricsAreDeadLetteredWithTheReason() throws Exception {
    Map<String, Map<String, MetricSpec>> invalid = Map.of(
        "fz-unknown", Map.of("x", new MetricSpec("no_such_metric", Map.of())),
        "fz-negative", Map.of("acc", ParamValues.spec("accuracy", Map.of("task", "multiclass", "num_classes", -3))),
        "fz-huge", Map.of("cm", ParamValues.spec("confusion_matrix", Map.of("task", "multiclass", "num_classes", 5000))));
    List<String> runs = List.of("fz-unknown", "fz-negative", "fz-huge");
    List<ProducerRecord<String, byte[]>> announced = runs.stream().map(run -> new ProducerRecord<>(topics.steps(), Keys.step(run, 0),
        STEPS.encode(new StepEvent(run, "", 0, 0, 0L, RunStarted.newBuilder().setWorldSize(1).setMetrics(invalid.get(run))
            .setScalars(Map.of()).build())))).toList();
    List<ConsumerRecord<String, byte[]>> dead = deadLettersOf(send(announced));
    assertThat(reason(dead.get(0))).startsWith("invalid metric configuration: ").contains("no_such_metric");
    assertThat(reason(dead.get(1))).startsWith("invalid metric configuration: ").contains("num_classes");
    assertThat(reason(dead.get(2))).startsWith("run refused: ").contains("over the limit of");
  }

  /** Two bytes that are no event: whichever topic of the product they land on, the stream app dead-letters them, once. */
  @ParameterizedTest
  @ValueSource(strings = {"steps", "partials", "runs", "epoch-summaries", "step-metrics", "control"})
  void twoBytesOnAnyTopicTheProductReadsAreDeadLetteredOnceWithTheirSource(String name) throws Exception {
    String topic = topics.prefix() + name;
    List<ConsumerRecord<String, byte[]>> dead = deadLettersOf(send(List.of(new ProducerRecord<>(topic, "fz-two-bytes", new byte[] {0x13, 0x37}))));
    assertUndecodable(dead, topic);
    // The partials topic is the app's own, Avro only; the others also take JSON values.
    assertThat(reason(dead.get(0))).contains(name.equals("partials") ? "not a valid RankPartial"
        : "neither Avro single-object encoding (C3 01) nor a JSON object: 2 bytes");
  }

  /**
   * The runs topic from two non-JVM clients: kcat's two bytes and a {@code run_finished} without its
   * status, Python confluent-kafka's two bytes. Each is dead-lettered once, by the stream app;
   * {@code runs}, which reads the topic too, passes over them and says so, and writes no dead letter.
   */
  @Test
  void garbageOnTheRunsTopicFromKcatAndPythonIsDeadLetteredOnceAndRunsPassesOverIt() throws Exception {
    Kcat kcat = Kcat.against(kafka.bootstrapServers());
    RequiredTool.require(RequiredTool.runs("/usr/bin/python3", "-c", "import confluent_kafka"),
        "Debian's python3-confluent-kafka is not installed: skipping the Python client's records");
    kcat.produce(topics.runs(), List.of("fz-kcat\tab", "fz-kcat\t{\"type\":\"run_finished\",\"run\":\"fz-kcat\"}"), dir);
    Process python = new ProcessBuilder("/usr/bin/python3", "-c", "import sys, confluent_kafka as ck\n"
        + "p = ck.Producer({'bootstrap.servers': sys.argv[1]})\n"
        + "p.produce(sys.argv[2], key=b'fz-python', value=b'\\x00\\x01')\n"
        + "sys.exit(p.flush(30))", kafka.bootstrapServers(), topics.runs()).redirectErrorStream(true).start();
    String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.waitFor()).as(out).isZero();

    List<Landed> landed = TopicReader.recordsToEnd(kafka.clientConfig(), topics.runs()).stream()
        .filter(r -> r.key().equals("fz-kcat") || r.key().equals("fz-python"))
        .map(r -> new Landed(r.topic(), r.partition(), r.offset(), r.value())).toList();
    assertThat(landed).hasSize(3);
    List<ConsumerRecord<String, byte[]>> dead = deadLettersOf(landed);
    assertUndecodable(dead, topics.runs());
    assertThat(dead).extracting(FaultAndFuzzTest::reason)
        .anySatisfy(r -> assertThat(r).contains("not a valid RunEvent JSON value").contains("status"));

    CliRun.Outcome runs = CliRun.run("runs", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix());
    assertThat(runs.code()).as(runs.err()).isZero();
    assertThat(runs.err()).contains("skipped an unreadable record at " + topics.runs());
    StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));
    assertThat(deadLettersOf(landed)).as("still once each").hasSize(3);
  }

  /** A trainer's control listener passes over garbage on the control topic and still gets its run's EarlyStop. */
  @Test
  void garbageOnTheControlTopicDoesNotStopATrainersListener() throws Exception {
    try (ControlListener listener = new ControlListener(kafka.clientConfig(), topics, "fz-control")) {
      List<Landed> landed = send(List.of(new ProducerRecord<>(topics.control(), "fz-control", new byte[] {0x13, 0x37}),
          new ProducerRecord<>(topics.control(), "fz-control", AvroSerde.of(ControlEvent.class).encode(new ControlEvent("fz-control", 1L,
              new EarlyStop("val", "loss", 3, 0.5, 1, "no improvement"))))));
      Await.until("the EarlyStop after the garbage", Duration.ofSeconds(30), listener::stopRequested);
      assertThat(listener.signal().getEpoch()).isEqualTo(3);
      assertUndecodable(deadLettersOf(landed.subList(0, 1)), topics.control());
    }
  }

  /**
   * Mutated copies of a small run's JSON lines (characters dropped, doubled or replaced, lines
   * swapped) through {@code publish}: it publishes a file whole or stops at its first bad line with
   * exit 2, naming it; never anything else. What it sent is valid JSON the app can decode: none of
   * it is dead-lettered as undecodable.
   */
  @Test
  void mutatedJsonFilesArePublishedWholeOrRefusedAtTheirFirstBadLine() throws Exception {
    Random random = new Random(4);
    String[] lines = RealisticScaleTest.ranksJsonLines("fzj", 1, 1, 5, "train").split("\n");
    int refused = 0;
    for (int f = 0; f < 12; f++) {
      String[] copy = lines.clone();
      int at = random.nextInt(copy.length);
      StringBuilder line = new StringBuilder(copy[at]);
      int pos = random.nextInt(line.length());
      switch (f % 4) {
        case 0 -> line.deleteCharAt(pos);
        case 1 -> line.insert(pos, line.charAt(pos));
        case 2 -> line.setCharAt(pos, "{}[],:\"0-9eE.x ".charAt(random.nextInt(15)));
        default -> {
          int other = random.nextInt(copy.length);
          String t = copy[other];
          copy[other] = line.toString();
          line = new StringBuilder(t);
        }
      }
      copy[at] = line.toString();
      Path file = dir.resolve("mutated-" + f + ".jsonl");
      Files.writeString(file, String.join("\n", copy).replace("\"fzj\"", "\"fzj" + f + "\"") + "\n", StandardCharsets.UTF_8);
      CliRun.Outcome o = CliRun.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          file.toString());
      assertThat(o.code()).as("publish of a mutated file: " + o.err()).isIn(0, 2);
      if (o.code() == 2) {
        refused++;
        assertThat(o.err()).containsPattern("line \\d+: ");
      }
    }
    assertThat(refused).as("most mutations break a line").isPositive();
    StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));
    assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters()))
        .filteredOn(d -> d.key() != null && d.key().startsWith("fzj"))
        .allSatisfy(d -> assertThat(reason(d)).doesNotStartWith(UNDECODABLE));
  }

  /**
   * The TorchMetrics fixture's run through {@code publish}, between faults of every kind: its
   * summaries are TorchMetrics' figures, and its own passed-over lines (a repeated step, steps after
   * their epoch closed) are its only dead letters.
   */
  @Test
  void aValidRunSentAmongFaultsOfEveryKindGetsTorchMetricsFigures() throws Exception {
    EpochFixture fixture = EpochFixture.load();
    Random random = new Random(5);
    List<ProducerRecord<String, byte[]>> faults = new ArrayList<>(faulted("fz-mix", bytes -> Arrays.copyOf(bytes, bytes.length / 2)));
    faults.add(new ProducerRecord<>(topics.steps(), Keys.step(fixture.run(), 0), new byte[] {0x13, 0x37}));
    faults.add(new ProducerRecord<>(topics.runs(), fixture.run(), new byte[] {0x13, 0x37}));
    faults.add(new ProducerRecord<>(topics.partials(), Keys.epoch(fixture.run(), "train", 0), validEvents("fz-mix").get(2).value()));
    faults.add(new ProducerRecord<>(topics.steps(), "fz-mix-keys:9", validEvents("fz-mix-keys").get(3).value()));
    faults.add(new ProducerRecord<>(topics.steps(), Keys.step("fz-mix-bad", 0), STEPS.encode(new StepEvent("fz-mix-bad", "", 0, 0, 0L,
        RunStarted.newBuilder().setWorldSize(1).setMetrics(Map.of("x", new MetricSpec("no_such_metric", Map.of()))).setScalars(Map.of())
            .build()))));
    java.util.Collections.shuffle(faults, random);
    List<Landed> landed = new ArrayList<>(send(faults.subList(0, faults.size() / 2)));
    Path file = dir.resolve("fixture.jsonl");
    Files.writeString(file, String.join("\n", fixture.lines()) + "\n");
    assertThat(Main.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(), file.toString()))
        .isZero();
    landed.addAll(send(faults.subList(faults.size() / 2, faults.size())));
    assertThat(deadLettersOf(landed)).as("one dead letter per fault").hasSize(faults.size());

    // The topic holds the other cases' garbage too: decoded here, record by record.
    List<EpochSummary> summaries = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : TopicReader.recordsToEnd(kafka.clientConfig(), topics.epochSummaries())) {
      if (r.value() != null && r.value()[0] == (byte) 0xC3) {
        EpochSummary s = AvroSerde.of(EpochSummary.class).decode(r.value());
        if (s.getRun().equals(fixture.run())) {
          summaries.add(s);
        }
      }
    }
    SummaryView.assertSameEpochs(fixture.epochs(), SentEvents.views(summaries), EpochFixture.TOLERANCE);
    List<ConsumerRecord<String, byte[]>> ownDead = TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters()).stream()
        .filter(d -> d.key() != null && d.key().startsWith(fixture.run() + ":")
            && !header(d, "epochstream.reason").startsWith(UNDECODABLE)).toList();
    assertThat(ownDead).hasSize(fixture.passedOver()).allSatisfy(d -> assertThat(reason(d)).matches("(duplicate step|epoch \\d+ of stage).*"));
  }
}
