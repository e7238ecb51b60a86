package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.Main;
import io.epochstream.event.Keys;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults and fuzz against the real stream app: byte flips and truncations of valid Avro events,
 * records on the wrong topic, wrong keys, an oversize record, runs announced with invalid metrics,
 * and randomly mutated JSON lines through {@code publish} — interleaved with a valid run. The app
 * never stops, every record that cannot be read or folded is a dead letter with its reason, and the
 * valid run's summaries equal {@code eval} on its lines as if nothing else had been sent.
 */
@ExtendWith(SharedKafka.class)
class FaultAndFuzzTest {
  private static final AvroSerde<StepEvent> STEPS = AvroSerde.of(StepEvent.class);
  @TempDir Path dir;

  @Test
  void noWriterCanStopTheAppOrChangeAnotherRunsSummaries(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    Random random = new Random(20261129);
    String good = RealisticScaleTest.ranksJsonLines("good-run", 2, 2, 3, "train", "val");
    Map<String, Integer> kinds = new LinkedHashMap<>();
    int undecodable = 0;
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "fz-" + UUID.randomUUID(), dir.resolve("s"));
         KafkaProducer<String, byte[]> raw = producer(kafka)) {
      app.start(Duration.ofSeconds(90));
      List<ProducerRecord<String, byte[]>> valid = avroEvents(topics, RealisticScaleTest.ranksJsonLines("fz", 2, 1, 9, "train"));
      for (int i = 0; i < 120; i++) {
        ProducerRecord<String, byte[]> base = valid.get(random.nextInt(valid.size()));
        byte[] bytes = base.value().clone();
        String kind;
        switch (i % 6) {
          case 0 -> {
            kind = "byte flips";
            for (int f = 1 + random.nextInt(3); f > 0; f--) {
              bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            }
          }
          case 1 -> {
            kind = "truncations";
            bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
          }
          case 2 -> kind = "wrong keys";
          case 3 -> kind = "records on the wrong topic";
          case 4 -> {
            kind = "invalid metric configurations";
            bytes = STEPS.encode(new StepEvent("fz-bad-" + i, "", 0, 0, 0L, invalidRun(random)));
          }
          default -> {
            kind = "random bytes";
            bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
          }
        }
        kinds.merge(kind, 1, Integer::sum);
        String topic = kind.equals("records on the wrong topic") ? topics.partials() : topics.steps();
        String key = kind.equals("wrong keys") ? "fz:" + (7 + random.nextInt(5)) : base.key();
        if (kind.equals("invalid metric configurations")) {
          key = Keys.step("fz-bad-" + i, 0);
        }
        if (!decodes(bytes)) {
          undecodable++;
        }
        raw.send(new ProducerRecord<>(topic, key, bytes));
      }
      byte[] oversize = new byte[3 << 20]; // over Kafka's default 1 MiB, under the product's limit
      random.nextBytes(oversize);
      raw.send(new ProducerRecord<>(topics.steps(), "fz:0", oversize));
      kinds.put("oversize records", 1);
      undecodable++;
      raw.flush();

      int published = publishMutatedJsonLines(kafka, topics, random, 12);
      kinds.put("mutated JSON files through publish", 12);

      Path goodFile = dir.resolve("good.jsonl");
      Files.writeString(goodFile, good);
      assertThat(Main.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          goodFile.toString())).isZero();
      List<EpochSummary> summaries = TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer(), 100, Duration.ofSeconds(20));
      List<String> goodSummaries = summaries.stream().filter(s -> s.getRun().equals("good-run")).map(JsonLinesCodec::encode).toList();
      assertThat(goodSummaries).containsExactlyInAnyOrderElementsOf(eval(good));
      assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);

      List<ConsumerRecord<String, byte[]>> dead = TopicReader.records(kafka.clientConfig(), topics.deadLetters(), 10_000,
          Duration.ofSeconds(5));
      assertThat(dead).allSatisfy(r -> assertThat(r.headers().lastHeader("epochstream.reason")).isNotNull());
      assertThat(dead.size()).as("at least every record that cannot be decoded").isGreaterThanOrEqualTo(undecodable);
      int tried = kinds.values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf("fault and fuzz: %d records and files tried %s (%d lines published by publish), %d undecodable, "
          + "%d dead letters, app %s, valid run's %d summaries equal eval%n", tried, kinds, published, undecodable,
          dead.size(), app.state(), goodSummaries.size());
    }
  }

  /** The fuzz run's events as the JVM publisher would send them: Avro, keyed run:rank. */
  private static List<ProducerRecord<String, byte[]>> avroEvents(Topics topics, String jsonLines) {
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
    for (String line : jsonLines.split("\n")) {
      JsonEvent e = JsonLinesCodec.decode(line, 1L);
      if (e instanceof JsonEvent.Run r && r.event().getPayload() instanceof RunStarted started) {
        for (int rank = 0; rank < started.getWorldSize(); rank++) {
          out.add(new ProducerRecord<>(topics.steps(), Keys.step("fz", rank),
              STEPS.encode(new StepEvent("fz", "", 0, rank, 1L, started))));
        }
      } else if (e instanceof JsonEvent.Step s) {
        out.add(new ProducerRecord<>(topics.steps(), Keys.step("fz", s.event().getRank()), STEPS.encode(s.event())));
      }
    }
    return out;
  }

  private static RunStarted invalidRun(Random random) {
    Map<String, MetricSpec> metrics = switch (random.nextInt(3)) {
      case 0 -> Map.of("x", new MetricSpec("no_such_metric", Map.of()));
      case 1 -> Map.of("acc", new MetricSpec("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "-3")));
      default -> Map.of("cm", new MetricSpec("confusion_matrix", Map.of("task", "\"multiclass\"", "num_classes", "5000")));
    };
    return RunStarted.newBuilder().setWorldSize(1).setMetrics(metrics).setScalars(Map.of()).build();
  }

  private static boolean decodes(byte[] bytes) {
    try {
      STEPS.decode(bytes);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Mutated copies of a small run's JSON lines (characters dropped, doubled or replaced, lines
   * swapped) through {@code publish}: it either publishes a file or stops at the first bad line with
   * exit 2; it never fails otherwise. Returns how many files it published whole.
   */
  private int publishMutatedJsonLines(TestKafka kafka, Topics topics, Random random, int files) throws Exception {
    String[] lines = RealisticScaleTest.ranksJsonLines("fzj", 1, 1, 5, "train").split("\n");
    int whole = 0;
    for (int f = 0; f < files; f++) {
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
      Files.writeString(file, String.join("\n", copy) + "\n", StandardCharsets.UTF_8);
      int code = Main.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          file.toString());
      assertThat(code).as("publish of a mutated file").isIn(0, 2);
      whole += code == 0 ? 1 : 0;
    }
    return whole;
  }

  private static List<String> eval(String text) throws Exception {
    List<String> out = new ArrayList<>();
    new io.epochstream.eval.OfflineEvaluator(out::add, notice -> { })
        .evaluate(new BufferedReader(new StringReader(text)));
    return out;
  }

  private static KafkaProducer<String, byte[]> producer(TestKafka kafka) {
    Map<String, Object> props = new java.util.HashMap<>(kafka.clientConfig());
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
