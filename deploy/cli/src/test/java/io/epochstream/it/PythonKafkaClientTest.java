package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.EpochSummary;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python callback's {@code kafka:} target with the real client (Debian's confluent-kafka) into
 * the embedded broker, with real torch tensors, folded by the real stream app. Each summary is
 * checked against what the test computes itself from the values the Python side returned (written
 * beside the run as plain lists): steps, samples, batch-weighted loss, accuracy and macro F1 —
 * and equals {@code eval} over the very values on the steps topic.
 */
@ExtendWith(SharedKafka.class)
class PythonKafkaClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void threeRanksOfFloat32Float16AndBfloat16PredsThroughTheRealClientFoldToTheTestsOwnCounts(TestKafka kafka) throws Exception {
    PythonWithTorch python = PythonWithTorch.find();
    Topics topics = TestTopics.create(kafka, 2);
    String run = "pyk-" + UUID.randomUUID().toString().substring(0, 6);
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "pyk-" + UUID.randomUUID(), dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      Path oracle = dir.resolve("sent.jsonl");
      write(python, kafka, topics, "blobs", run, 3, oracle);
      Map<String, Expected> expected = Expected.of(oracle, 3, null);
      assertThat(expected.keySet()).containsExactly("test/2", "train/0", "train/1", "val/0", "val/1");
      List<EpochSummary> summaries = awaitSummaries(kafka, topics, run, expected.size());
      assertSummaries(summaries, expected);
      assertThat(summaries).allSatisfy(s -> assertThat(s.getRanks()).isEqualTo(3));

      // Where each line went: the run line and run_finished (naming its rank) on runs, keyed by run;
      // on steps, keyed <run>:<rank>, each rank's lines in order from its run line to its run_finished.
      List<ConsumerRecord<String, byte[]>> runs = TopicReader.recordsToEnd(kafka.clientConfig(), topics.runs());
      assertThat(runs).extracting(ConsumerRecord::key).containsOnly(run);
      assertThat(runs.stream().map(r -> type(r.value())).toList()).containsOnly("run", "run_finished").hasSize(12);
      Map<String, List<JsonNode>> byKey = new TreeMap<>();
      for (ConsumerRecord<String, byte[]> r : TopicReader.recordsToEnd(kafka.clientConfig(), topics.steps())) {
        byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(JSON.readTree(r.value()));
      }
      assertThat(byKey.keySet()).containsExactly(run + ":0", run + ":1", run + ":2");
      List<String> lines = new ArrayList<>();
      for (int rank = 0; rank < 3; rank++) {
        List<JsonNode> values = byKey.get(run + ":" + rank);
        assertThat(values.get(0).get("type").asText()).isEqualTo("run");
        assertThat(values.get(values.size() - 1).get("type").asText()).isEqualTo("run_finished");
        assertThat(values.get(values.size() - 1).get("rank").asInt()).isEqualTo(rank);
        // 2 epochs of 4 train and 2 val steps, then 2 test steps; preds packed in the rank's dtype
        assertThat(values.stream().filter(v -> v.get("type").asText().equals("step"))).hasSize(14)
            .allSatisfy(v -> assertThat(v.get("preds").get("dtype").asText()).isEqualTo(new String[] {"float32", "float16", "bfloat16"}[
                v.get("rank").asInt()]));
        values.forEach(v -> lines.add(v.toString()));
      }
      assertThat(summaries.stream().map(JsonLinesCodec::encode).toList()).containsExactlyInAnyOrderElementsOf(OfflineSummaries.of(lines));
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
    }
  }

  @Test
  void aTokenHeadOf32000ClassesSendsLabelsAndClosesItsEpochsWithPaddingIgnored(TestKafka kafka) throws Exception {
    PythonWithTorch python = PythonWithTorch.find();
    Topics topics = TestTopics.create(kafka, 2);
    String run = "pytok-" + UUID.randomUUID().toString().substring(0, 6);
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "pyt-" + UUID.randomUUID(), dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      Path oracle = dir.resolve("sent.jsonl");
      write(python, kafka, topics, "tokens", run, 2, oracle);
      Map<String, Expected> expected = Expected.of(oracle, 32000, -100);
      assertThat(expected.keySet()).containsExactly("train/0", "train/1", "val/0", "val/1");
      List<EpochSummary> summaries = awaitSummaries(kafka, topics, run, expected.size());
      assertSummaries(summaries, expected);
      // 2 048 tokens a step, each rank 3 train steps an epoch: the padding counts as samples, not in the metrics.
      assertThat(summaries.stream().filter(s -> s.getStage().equals("train"))).allSatisfy(s -> assertThat(s.getSamples()).isEqualTo(2 * 3 * 2048L));
      for (ConsumerRecord<String, byte[]> r : TopicReader.recordsToEnd(kafka.clientConfig(), topics.steps())) {
        JsonNode v = JSON.readTree(r.value());
        if (v.get("type").asText().equals("step")) {
          assertThat(v.get("preds").get("dtype").asText()).isEqualTo("int16");
          assertThat(v.get("target").get("dtype").asText()).isEqualTo("int16");
          assertThat(r.value().length).as("labels, not 2 048 × 32 000 probabilities").isLessThan(12_000);
        }
      }
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
    }
  }

  private static void write(PythonWithTorch python, TestKafka kafka, Topics topics, String mode, String run, int ranks, Path oracle)
      throws Exception {
    ChildProcess.Result r = python.run(List.of("tests/write_torch_run.py", mode, "kafka:" + kafka.bootstrapServers(), run,
        Integer.toString(ranks), oracle.toString()), Map.of("EPOCHSTREAM_TOPIC_PREFIX", topics.prefix()), 300);
    assertThat(r.code()).as(r.output()).isZero();
  }

  private static String type(byte[] value) {
    try {
      return JSON.readTree(value).get("type").asText();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Waits until the run has {@code count} summaries, then reads the topic to its end: exactly those. */
  private static List<EpochSummary> awaitSummaries(TestKafka kafka, Topics topics, String run, int count) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    while (true) {
      List<EpochSummary> all = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          EventSerde.summaries(WireFormat.AVRO).deserializer());
      List<EpochSummary> ofRun = all.stream().filter(s -> s.getRun().equals(run)).toList();
      if (ofRun.size() >= count) {
        assertThat(ofRun).hasSize(count);
        return ofRun;
      }
      assertThat(Instant.now()).as("%d summaries of %s, have %d", count, run, ofRun.size()).isBefore(deadline);
      Thread.sleep(200);
    }
  }

  private static void assertSummaries(List<EpochSummary> summaries, Map<String, Expected> expected) {
    for (EpochSummary s : summaries) {
      Expected e = expected.get(s.getStage() + "/" + s.getEpoch());
      assertThat(e).as(s.getStage() + "/" + s.getEpoch()).isNotNull();
      assertThat(s.getComplete()).isTrue();
      assertThat(s.getSteps()).isEqualTo(e.steps);
      assertThat(s.getSamples()).isEqualTo(e.samples);
      assertThat(value(s, "loss")).isCloseTo(e.loss(), org.assertj.core.data.Offset.offset(1e-12));
      assertThat(value(s, "acc")).isCloseTo(e.accuracy(), org.assertj.core.data.Offset.offset(1e-12));
      assertThat(value(s, "f1")).isCloseTo(e.macroF1(), org.assertj.core.data.Offset.offset(1e-12));
    }
  }

  private static double value(EpochSummary s, String metric) {
    return s.getMetrics().get(metric).getValues().get(0);
  }

  /**
   * One (stage, epoch) as the test counts it from the values returned: argmax with ties to the
   * lower class for scores, labels as they are; macro F1 over the classes with tp + fp + fn > 0.
   */
  private static final class Expected {
    long steps;
    long samples;
    double lossSum;
    long correct;
    long counted;
    final long[] tp;
    final long[] fp;
    final long[] fn;

    Expected(int classes) {
      tp = new long[classes];
      fp = new long[classes];
      fn = new long[classes];
    }

    static Map<String, Expected> of(Path oracle, int classes, Integer ignoreIndex) throws java.io.IOException {
      Map<String, Expected> out = new TreeMap<>();
      for (String line : Files.readAllLines(oracle, StandardCharsets.UTF_8)) {
        JsonNode step = JSON.readTree(line);
        Expected e = out.computeIfAbsent(step.get("stage").asText() + "/" + step.get("epoch").asInt(), k -> new Expected(classes));
        JsonNode preds = step.get("preds");
        JsonNode target = step.get("target");
        e.steps++;
        e.samples += target.size();
        e.lossSum += step.get("loss").asDouble() * target.size();
        for (int i = 0; i < target.size(); i++) {
          int y = target.get(i).asInt();
          if (ignoreIndex != null && y == ignoreIndex) {
            continue;
          }
          int p = preds.get(i).isArray() ? argmax(preds.get(i)) : preds.get(i).asInt();
          e.counted++;
          if (p == y) {
            e.correct++;
            e.tp[y]++;
          } else {
            e.fp[p]++;
            e.fn[y]++;
          }
        }
      }
      return out;
    }

    private static int argmax(JsonNode row) {
      int best = 0;
      for (int c = 1; c < row.size(); c++) {
        if (row.get(c).asDouble() > row.get(best).asDouble()) {
          best = c;
        }
      }
      return best;
    }

    double loss() {
      return lossSum / samples;
    }

    double accuracy() {
      return (double) correct / counted;
    }

    double macroF1() {
      double sum = 0;
      int present = 0;
      for (int c = 0; c < tp.length; c++) {
        if (tp[c] + fp[c] + fn[c] > 0) {
          sum += 2.0 * tp[c] / (2.0 * tp[c] + fp[c] + fn[c]);
          present++;
        }
      }
      return sum / present;
    }
  }
}
