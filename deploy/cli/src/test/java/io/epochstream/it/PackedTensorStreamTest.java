package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.CliRun;
import io.epochstream.event.Keys;
import io.epochstream.event.Tensors;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.DType;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.Tensor;
import io.epochstream.serde.AvroSerde;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.RecordLimits;
import io.epochstream.topic.Topics;
import io.epochstream.topology.DeadLetters;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packed tensor form (dtype, shape, base64 little-endian bytes) end to end: the same values
 * packed as float16, bfloat16, int16 and bool fold to the summaries of their lists in {@code eval},
 * through {@code publish}, in the stream app and in {@code replay}; a packed tensor whose bytes do
 * not fit its shape, in a JSON value or an Avro one, is a dead letter with that reason and the run
 * goes on.
 */
@ExtendWith(SharedKafka.class)
class PackedTensorStreamTest {
  private static final int B = 6;
  private static final int C = 4;

  @TempDir Path dir;

  @Test
  void packedHalfPrecisionAndSmallLabelsGiveTheSummariesOfTheirListsEverywhere(TestKafka kafka) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 6);
    Run lists = new Run("lists-" + id, false);
    Run packed = new Run("packed-" + id, true);
    // eval: the same values, two forms, the same summaries; and the test's own count of accuracy.
    List<String> fromLists = OfflineSummaries.of(lists.lines);
    List<String> fromPacked = OfflineSummaries.of(packed.lines);
    assertThat(fromLists).hasSize(4);
    assertThat(fromPacked).isEqualTo(fromLists.stream().map(s -> s.replace(lists.run, packed.run)).toList());
    for (String summary : fromPacked) {
      var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(summary);
      String key = node.get("run").asText().endsWith("-b") ? "b" : "m";
      assertThat(node.get("metrics").get("acc").asDouble()).as(summary)
          .isEqualTo(packed.accuracy(key + "/" + node.get("epoch").asInt()));
    }

    // publish --follow the packed lines into the stream app; replay them: the same summaries again.
    Topics topics = TestTopics.create(kafka, 2);
    Path events = Files.createDirectories(dir.resolve("events"));
    Files.write(events.resolve("packed.jsonl"), packed.lines, StandardCharsets.UTF_8);
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "pk-" + UUID.randomUUID(), dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      CliRun.Outcome publish = CliRun.run("publish", "--follow", events.toString(), "--value-format", "json",
          "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix());
      assertThat(publish.code()).as(publish.err()).isZero();
      List<String> live = awaitSummaries(kafka, topics, 4).stream().map(JsonLinesCodec::encode).toList();
      assertThat(live).containsExactlyInAnyOrderElementsOf(fromPacked);
      List<String> replayed = new ArrayList<>();
      for (String run : List.of(packed.run + "-m", packed.run + "-b")) {
        Path out = dir.resolve(run + ".jsonl");
        CliRun.Outcome replay = CliRun.run("replay", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
            "--run", run, "--jsonl", out.toString());
        assertThat(replay.code()).as(replay.err()).isZero();
        replayed.addAll(Files.readAllLines(out, StandardCharsets.UTF_8));
      }
      assertThat(replayed).containsExactlyInAnyOrderElementsOf(fromPacked);
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
    }
  }

  @Test
  void aPackedTensorWhoseBytesDoNotFitItsShapeIsADeadLetterWithItsReasonAndTheRunGoesOn(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    Run run = new Run("bad-bytes-" + UUID.randomUUID().toString().substring(0, 6), true);
    String m = run.run + "-m";
    String key = Keys.step(m, 0);
    AvroSerde<StepEvent> avro = AvroSerde.of(StepEvent.class);
    List<String> valid = run.lines.stream().filter(l -> l.contains("\"run\":\"" + m + "\"") && l.contains("\"epoch\":0")
        || l.contains("\"type\":\"run\"") && l.contains(m)).toList();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "pkb-" + UUID.randomUUID(), dir.resolve("state"));
         KafkaProducer<String, byte[]> producer = producer(kafka)) {
      app.start(Duration.ofSeconds(60));
      for (String line : valid) {
        if (!line.contains("epoch_end")) {
          producer.send(new ProducerRecord<>(topics.steps(), key, line.getBytes(StandardCharsets.UTF_8)));
        }
      }
      String shortJson = "{\"type\":\"step\",\"run\":\"" + m + "\",\"stage\":\"val\",\"epoch\":0,\"step\":90,"
          + "\"preds\":{\"dtype\":\"float32\",\"shape\":[6,4],\"data\":\"" + Base64.getEncoder().encodeToString(new byte[92]) + "\"},"
          + "\"target\":[0,1,2,3,0,1]}";
      producer.send(new ProducerRecord<>(topics.steps(), key, shortJson.getBytes(StandardCharsets.UTF_8)));
      Tensor shortHalf = new Tensor(DType.FLOAT16, List.of(2, 4), ByteBuffer.wrap(new byte[14]));
      producer.send(new ProducerRecord<>(topics.steps(), key, avro.encode(new StepEvent(m, "val", 0, 0, 1L,
          new StepOutput(91L, 2, 0.5, shortHalf, Tensors.ofLongs(new long[] {0, 1}, 2), Map.of(), null)))));
      Tensor badBool = new Tensor(DType.BOOL, List.of(2), ByteBuffer.wrap(new byte[] {1, 2}));
      producer.send(new ProducerRecord<>(topics.steps(), key, avro.encode(new StepEvent(m, "val", 0, 0, 1L,
          new StepOutput(92L, 2, 0.5, Tensors.ofFloats(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, 2, 4), badBool,
              Map.of(), null)))));
      producer.send(new ProducerRecord<>(topics.steps(), key, avro.encode(new StepEvent(m, "val", 0, 0, 1L, new EpochEnd(-1L)))));
      producer.flush();

      List<EpochSummary> summaries = awaitSummaries(kafka, topics, 1);
      assertThat(summaries).singleElement().satisfies(s -> {
        assertThat(s.getSteps()).isEqualTo(Run.STEPS); // the three refused steps are not counted
        assertThat(s.getSamples()).isEqualTo((long) Run.STEPS * B);
        assertThat(s.getMetrics().get("acc").getValues().get(0)).isEqualTo(run.accuracy("m/0"));
      });
      List<String> reasons = awaitDeadLetters(kafka, topics, 3).stream()
          .map(r -> new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8)).toList();
      assertThat(reasons).hasSize(3);
      assertThat(reasons.get(0)).contains("not a valid StepEvent JSON value: preds: a float32 tensor of shape [6, 4] needs 96 bytes, has 92");
      assertThat(reasons.get(1)).contains("invalid step").contains("a float16 tensor of shape [2, 4] needs 16 bytes, has 14");
      assertThat(reasons.get(2)).contains("invalid step").contains("bool tensor holds byte 2 at flat index 1 (a bool is 0 or 1)");
    }
  }

  private static KafkaProducer<String, byte[]> producer(TestKafka kafka) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.putAll(RecordLimits.producerConfig());
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static List<EpochSummary> awaitSummaries(TestKafka kafka, Topics topics, int count) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    while (true) {
      List<EpochSummary> all = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          EventSerde.summaries(WireFormat.AVRO).deserializer());
      if (all.size() >= count) {
        assertThat(all).hasSize(count);
        return all;
      }
      assertThat(Instant.now()).as("%d summaries, have %d", count, all.size()).isBefore(deadline);
      Thread.sleep(200);
    }
  }

  private static List<ConsumerRecord<String, byte[]>> awaitDeadLetters(TestKafka kafka, Topics topics, int count) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(60);
    while (true) {
      List<ConsumerRecord<String, byte[]>> all = TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters());
      if (all.size() >= count) {
        return all;
      }
      assertThat(Instant.now()).as("%d dead letters, have %d", count, all.size()).isBefore(deadline);
      Thread.sleep(200);
    }
  }

  /**
   * Two runs of one rank, two val epochs of {@link #STEPS} steps each: {@code <run>-m} multiclass
   * (C = 4, float16 scores, int16 labels) and {@code <run>-b} binary (bfloat16 scores, bool labels).
   * Every score is k/64, exact in both half formats, so lists and packed bytes hold the same values.
   */
  private static final class Run {
    static final int STEPS = 3;
    final String run;
    final List<String> lines = new ArrayList<>();
    private final Map<String, long[]> correct = new HashMap<>();

    Run(String run, boolean packed) {
      this.run = run;
      Random random = new Random(11);
      lines.add(runLine(run + "-m", "\"acc\":{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":4},"
          + "\"f1\":{\"metric\":\"f1_score\",\"task\":\"multiclass\",\"num_classes\":4,\"average\":\"macro\"},"
          + "\"auroc\":{\"metric\":\"auroc\",\"task\":\"multiclass\",\"num_classes\":4,\"thresholds\":100}"));
      lines.add(runLine(run + "-b", "\"acc\":{\"metric\":\"accuracy\",\"task\":\"binary\"},"
          + "\"auroc\":{\"metric\":\"auroc\",\"task\":\"binary\",\"thresholds\":100}"));
      for (int epoch = 0; epoch < 2; epoch++) {
        for (int step = 0; step < STEPS; step++) {
          int[] scores = new int[B * C];
          int[] labels = new int[B];
          long[] count = correct.computeIfAbsent("m/" + epoch, k -> new long[2]);
          for (int i = 0; i < B; i++) {
            int best = 0;
            for (int c = 0; c < C; c++) {
              scores[i * C + c] = random.nextInt(65);
              best = scores[i * C + c] > scores[i * C + best] ? c : best;
            }
            labels[i] = random.nextInt(C);
            count[0] += best == labels[i] ? 1 : 0;
            count[1]++;
          }
          lines.add(step(run + "-m", epoch, step, packed ? packedHalf(scores, "float16", B, C) : list(scores, C) + ",\"preds_dtype\":\"float16\"",
              packed ? packedInt16(labels) : list(labels)));
          int[] binary = new int[B];
          int[] truth = new int[B];
          long[] binaryCount = correct.computeIfAbsent("b/" + epoch, k -> new long[2]);
          for (int i = 0; i < B; i++) {
            binary[i] = random.nextInt(65);
            truth[i] = random.nextInt(2);
            binaryCount[0] += (binary[i] / 64.0 > 0.5 ? 1 : 0) == truth[i] ? 1 : 0;
            binaryCount[1]++;
          }
          lines.add(step(run + "-b", epoch, step, packed ? packedHalf(binary, "bfloat16", B) : list(binary, 0) + ",\"preds_dtype\":\"bfloat16\"",
              packed ? packedBool(truth) : list(truth)));
        }
        for (String r : List.of(run + "-m", run + "-b")) {
          lines.add("{\"type\":\"epoch_end\",\"run\":\"" + r + "\",\"stage\":\"val\",\"epoch\":" + epoch + "}");
        }
      }
      for (String r : List.of(run + "-m", run + "-b")) {
        lines.add("{\"type\":\"run_finished\",\"run\":\"" + r + "\",\"rank\":0,\"status\":\"completed\"}");
      }
    }

    /** The test's own accuracy: argmax (ties to the lower class) for multiclass, score > 0.5 for binary. */
    double accuracy(String key) {
      long[] c = correct.get(key);
      return (double) c[0] / c[1];
    }

    private static String runLine(String run, String metrics) {
      return "{\"type\":\"run\",\"run\":\"" + run + "\",\"world_size\":1,\"metrics\":{" + metrics + "}}";
    }

    private static String step(String run, int epoch, int step, String preds, String target) {
      return "{\"type\":\"step\",\"run\":\"" + run + "\",\"stage\":\"val\",\"epoch\":" + epoch + ",\"step\":" + step
          + ",\"loss\":" + (0.25 * (step + 1)) + ",\"preds\":" + preds + ",\"target\":" + target + "}";
    }

    /** k/64 as a decimal list, nested rows of {@code width} (0: flat). */
    private static String list(int[] sixtyfourths, int width) {
      StringBuilder s = new StringBuilder("[");
      for (int i = 0; i < sixtyfourths.length; i++) {
        if (width > 0 && i % width == 0) {
          s.append(i == 0 ? "[" : "],[");
        } else if (i > 0) {
          s.append(',');
        }
        s.append(String.format(Locale.ROOT, "%s", sixtyfourths[i] / 64.0));
      }
      return s.append(width > 0 ? "]]" : "]").toString();
    }

    private static String list(int[] labels) {
      StringBuilder s = new StringBuilder("[");
      for (int i = 0; i < labels.length; i++) {
        s.append(i == 0 ? "" : ",").append(labels[i]);
      }
      return s.append(']').toString();
    }

    /** k/64 in IEEE half or bfloat16 bits, worked out here from the value's binary form. */
    private static String packedHalf(int[] sixtyfourths, String dtype, int... shape) {
      ByteBuffer b = ByteBuffer.allocate(sixtyfourths.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (int k : sixtyfourths) {
        int bits;
        if (dtype.equals("bfloat16")) {
          bits = Float.floatToIntBits(k / 64f) >>> 16; // k/64 has at most 7 significant bits: exact
        } else if (k == 0) {
          bits = 0;
        } else {
          int top = 31 - Integer.numberOfLeadingZeros(k); // k = 2^top × (1 + m/2^top)
          bits = ((top - 6 + 15) << 10) | (((k - (1 << top)) << 10) >> top);
        }
        b.putShort((short) bits);
      }
      return packed(dtype, b.array(), shape);
    }

    private static String packedInt16(int[] labels) {
      ByteBuffer b = ByteBuffer.allocate(labels.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (int v : labels) {
        b.putShort((short) v);
      }
      return packed("int16", b.array(), labels.length);
    }

    private static String packedBool(int[] labels) {
      byte[] b = new byte[labels.length];
      for (int i = 0; i < labels.length; i++) {
        b[i] = (byte) labels[i];
      }
      return packed("bool", b, labels.length);
    }

    private static String packed(String dtype, byte[] data, int... shape) {
      StringBuilder dims = new StringBuilder();
      for (int d : shape) {
        dims.append(dims.length() == 0 ? "" : ",").append(d);
      }
      return "{\"dtype\":\"" + dtype + "\",\"shape\":[" + dims + "],\"data\":\"" + Base64.getEncoder().encodeToString(data) + "\"}";
    }
  }
}
