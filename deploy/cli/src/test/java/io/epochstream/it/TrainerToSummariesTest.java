package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.event.Keys;
import io.epochstream.event.ParamValues;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.event.Tensors;
import io.epochstream.publish.StepPublisher;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.trainer.DefaultMetrics;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import java.nio.file.Path;
import java.time.Duration;
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

/**
 * The whole path on a real broker: DJL training → steps → Kafka Streams → epoch-summaries, every
 * summary against the naive reference over the steps as published, counts against the training's
 * own arithmetic.
 */
@ExtendWith(SharedKafka.class)
class TrainerToSummariesTest {
  @TempDir Path stateDir;

  @Test
  void everySummaryOfATwoRankRunEqualsANaiveFoldOfThePublishedSteps(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    TrainingConfig config = new TrainingConfig("e2e", 0, 2, 2, 64, 0.01f, 5, 2000, 20, 4, new int[] {32}, 0.2);
    String appId = "app-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, stateDir)) {
      app.start(Duration.ofSeconds(60));
      for (int rank = 0; rank < 2; rank++) {
        try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, config.run(), rank)) {
          publisher.runStarted(2, DefaultMetrics.multiclass(4), Map.of(), config.hparams());
          new TrainingJob(config.withRank(rank, 2)).run(publisher);
          publisher.flush();
        }
      }
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(90));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      // Per rank: 800 train samples / 64 = 13 steps, 200 val / 64 = 4 steps, 2 epochs, 4 EpochEnds,
      // and its RunStarted ahead of the steps.
      List<StepEvent> steps = TopicReader.readAll(kafka.clientConfig(), topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
      assertThat(steps).hasSize(2 * (1 + 2 * (13 + 4) + 4));
      // Each epoch covers the whole data set once per stage: 2000 samples, 20 % for validation.
      assertThat(summaries).hasSize(4).allSatisfy(s -> {
        assertThat(s.getSamples()).isEqualTo(s.getStage().equals("train") ? 1600 : 400);
        assertThat(s.getSteps()).isEqualTo(s.getStage().equals("train") ? 2 * 13 : 2 * 4);
      });
      SummaryView.assertSameEpochs(SentEvents.expected(steps), SentEvents.views(summaries));
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
      // The model learns: the last validation epoch beats chance (4 classes) by a wide margin.
      EpochSummary lastVal = summaries.stream().filter(s -> s.getStage().equals("val") && s.getEpoch() == 1).findFirst().orElseThrow();
      assertThat(lastVal.getMetrics().get("acc").getValues().get(0)).isGreaterThan(0.5);
    }
  }

  @Test
  void anUndecodableRecordIsSkippedAndTheAppKeepsProducingSummaries(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    String appId = "app-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, stateDir);
         KafkaProducer<String, byte[]> raw = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(), new ByteArraySerializer());
         StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, "bad", 0)) {
      app.start(Duration.ofSeconds(60));
      publisher.runStarted(1, Map.of("acc", ParamValues.spec("accuracy", Map.of("task", "multiclass", "num_classes", 2))),
          Map.of(), Map.of());
      raw.send(new ProducerRecord<>(topics.steps(), Keys.step("bad", 0), "not avro".getBytes())).get();
      // A well-formed event that breaks a rule (class 9 of 2) is skipped the same way.
      publisher.step("train", 0, 0, 1, 9.0, Tensors.ofFloats(new float[] {.5f, .5f}, 1, 2), Tensors.ofInts(new int[] {9}, 1), Map.of());
      publisher.step("train", 0, 1, 2, 3.0, Tensors.ofFloats(new float[] {.9f, .1f, .2f, .8f}, 2, 2), Tensors.ofInts(new int[] {0, 0}, 2), Map.of());
      publisher.epochEnd("train", 0, 2);
      publisher.flush();
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      assertThat(summaries).hasSize(1);
      assertThat(summaries.get(0).getSteps()).isEqualTo(1);
      assertThat(summaries.get(0).getMetrics().get("loss").getValues().get(0)).isEqualTo(3.0);
      assertThat(summaries.get(0).getMetrics().get("acc").getValues().get(0)).isEqualTo(0.5);
      assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);

      // Both bad records are kept, with why and where, on the dead-letter topic.
      List<ConsumerRecord<String, byte[]>> dead = TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters());
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
