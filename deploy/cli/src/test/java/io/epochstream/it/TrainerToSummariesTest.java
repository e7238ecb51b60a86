package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.event.Keys;
import io.epochstream.event.Tensors;
import io.epochstream.publish.StepPublisher;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.schema.MetricSpec;
import io.epochstream.trainer.DefaultMetrics;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The whole path on a real broker: DJL training → steps → Kafka Streams → epoch-summaries. */
@ExtendWith(SharedKafka.class)
class TrainerToSummariesTest {
  @TempDir Path stateDir;

  /** Per (stage, epoch), folded here from the step events themselves, with no product code. */
  private static final class Expected {
    double lossSum;
    long samples;
    long steps;
    long correct;
    long total;
  }

  @Test
  void everySummaryOfATwoRankRunEqualsAnIndependentFoldOfThePublishedSteps(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    TrainingConfig config = new TrainingConfig("e2e", 0, 2, 2, 64, 0.01f, 5, 2000, 20, 4, new int[] {32}, 0.2);
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "app-" + UUID.randomUUID(), stateDir)) {
      app.start(Duration.ofSeconds(60));
      for (int rank = 0; rank < 2; rank++) {
        try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, config.run(), rank)) {
          publisher.runStarted(2, DefaultMetrics.multiclass(4), Map.of(), config.hparams());
          new TrainingJob(config.withRank(rank, 2)).run(publisher);
          publisher.flush();
        }
      }
      List<EpochSummary> summaries = TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer(), 4, Duration.ofSeconds(60));
      // Per rank: 800 train samples / 64 = 13 steps, 200 val / 64 = 4 steps, 2 epochs, 4 EpochEnds,
      // and its RunStarted ahead of the steps.
      List<StepEvent> steps = TopicReader.read(kafka.clientConfig(), topics.steps(),
          AvroSerde.of(StepEvent.class).deserializer(), 2 * (1 + 2 * (13 + 4) + 4), Duration.ofSeconds(30));
      assertThat(steps).hasSize(78);
      assertThat(summaries).hasSize(4);
      assertThat(summaries).allSatisfy(s -> assertThat(s.getRanks()).isEqualTo(2));
      // Each epoch covers the whole data set once per stage: 2000 samples, 20 % for validation.
      assertThat(summaries).allSatisfy(s -> assertThat(s.getSamples()).isEqualTo(s.getStage().equals("train") ? 1600 : 400));

      Map<String, Expected> expected = new HashMap<>();
      for (StepEvent e : steps) {
        if (!(e.getPayload() instanceof StepOutput s)) {
          continue;
        }
        Expected x = expected.computeIfAbsent(e.getStage() + e.getEpoch(), k -> new Expected());
        x.lossSum += s.getLoss() * s.getBatchSize();
        x.samples += s.getBatchSize();
        x.steps++;
        double[] probs = Tensors.toDoubles(s.getPreds());
        double[] target = Tensors.toDoubles(s.getTarget());
        int classes = s.getPreds().getShape().get(1);
        for (int i = 0; i < target.length; i++) {
          int best = 0;
          for (int c = 1; c < classes; c++) {
            if (probs[i * classes + c] > probs[i * classes + best]) {
              best = c;
            }
          }
          x.correct += best == (int) target[i] ? 1 : 0;
          x.total++;
        }
      }
      assertThat(expected).containsOnlyKeys("train0", "val0", "train1", "val1");
      for (EpochSummary s : summaries) {
        Expected x = expected.get(s.getStage() + s.getEpoch());
        assertThat(s.getSamples()).isEqualTo(x.samples);
        assertThat(s.getSteps()).isEqualTo(x.steps);
        assertThat(s.getComplete()).isTrue();
        assertThat(s.getMetrics().get("loss").getValues().get(0)).isCloseTo(x.lossSum / x.samples, within(1e-9));
        assertThat(s.getMetrics().get("acc").getValues().get(0)).isCloseTo((double) x.correct / x.total, within(1e-9));
      }
      // The model learns: the last validation epoch beats chance (4 classes) by a wide margin.
      EpochSummary lastVal = summaries.stream().filter(s -> s.getStage().equals("val") && s.getEpoch() == 1).findFirst().orElseThrow();
      assertThat(lastVal.getMetrics().get("acc").getValues().get(0)).isGreaterThan(0.5);
    }
  }

  @Test
  void anUndecodableRecordIsSkippedAndTheAppKeepsProducingSummaries(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "app-" + UUID.randomUUID(), stateDir);
         KafkaProducer<String, byte[]> raw = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(), new ByteArraySerializer());
         StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, "bad", 0)) {
      app.start(Duration.ofSeconds(60));
      publisher.runStarted(1, Map.of("acc", new MetricSpec("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "2"))), Map.of(), Map.of());
      raw.send(new ProducerRecord<>(topics.steps(), Keys.step("bad", 0), "not avro".getBytes())).get();
      // A well-formed event that breaks a rule (class 9 of 2) is skipped the same way.
      publisher.step("train", 0, 0, 1, 9.0, Tensors.ofFloats(new float[] {.5f, .5f}, 1, 2), Tensors.ofInts(new int[] {9}, 1), Map.of());
      publisher.step("train", 0, 1, 2, 3.0, Tensors.ofFloats(new float[] {.9f, .1f, .2f, .8f}, 2, 2), Tensors.ofInts(new int[] {0, 0}, 2), Map.of());
      publisher.epochEnd("train", 0, 2);
      publisher.flush();
      List<EpochSummary> summaries = TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer(), 1, Duration.ofSeconds(60));
      assertThat(summaries).hasSize(1);
      assertThat(summaries.get(0).getSteps()).isEqualTo(1);
      assertThat(summaries.get(0).getMetrics().get("loss").getValues().get(0)).isEqualTo(3.0);
      assertThat(summaries.get(0).getMetrics().get("acc").getValues().get(0)).isEqualTo(0.5);
      assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);

      // Both bad records are kept, with why and where, on the dead-letter topic.
      List<ConsumerRecord<String, byte[]>> dead = TopicReader.records(kafka.clientConfig(), topics.deadLetters(), 2, Duration.ofSeconds(30));
      assertThat(dead).hasSize(2);
      assertThat(dead).anySatisfy(r -> assertThat(r.value()).isEqualTo("not avro".getBytes()));
      assertThat(dead).anySatisfy(r -> {
        assertThat(r.headers().lastHeader("epochstream.reason")).isNotNull();
        assertThat(new String(r.headers().lastHeader("epochstream.reason").value())).startsWith("invalid step: acc:").contains("9");
      });
      // The undecodable one says so, with the exception and where it was read.
      assertThat(dead).anySatisfy(r -> {
        assertThat(new String(r.headers().lastHeader("epochstream.reason").value())).startsWith("undecodable record: ");
        assertThat(r.headers().lastHeader("epochstream.exception")).isNotNull();
        assertThat(new String(r.headers().lastHeader("epochstream.source.topic").value())).isEqualTo(topics.steps());
      });
    }
  }

}
