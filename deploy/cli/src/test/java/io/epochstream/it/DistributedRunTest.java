package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.jsonl.JsonLinesCodec;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stream-app instances with one application id, four trainer ranks each on its shard: exactly
 * one complete summary per (stage, epoch), equal line for line to {@code eval} over the very step
 * events the ranks published.
 */
@ExtendWith(SharedKafka.class)
class DistributedRunTest {
  @TempDir Path dir;

  @Test
  void fourRanksTwoInstancesEqualEval(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 4);
    String appId = "d-" + UUID.randomUUID();
    int ranks = 4;
    TrainingConfig config = new TrainingConfig("dist", 0, ranks, 2, 50, 0.01f, 3, 1200, 20, 4, new int[] {32}, 0.2);
    try (MetricsStreamApp a = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("a"));
         MetricsStreamApp b = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("b"))) {
      a.streams().start();
      b.streams().start();
      Instant deadline = Instant.now().plusSeconds(90);
      while (!(a.state() == KafkaStreams.State.RUNNING && b.state() == KafkaStreams.State.RUNNING)) {
        assertThat(Instant.now()).as("both instances running").isBefore(deadline);
        Thread.sleep(100);
      }
      for (int rank = 0; rank < ranks; rank++) {
        try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, config.run(), rank)) {
          publisher.runStarted(ranks, DefaultMetrics.multiclass(4), Map.of(), config.hparams());
          new TrainingJob(config.withRank(rank, ranks)).run(publisher);
          publisher.flush();
        }
      }
      List<EpochSummary> summaries = TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer(), 4, Duration.ofSeconds(90));
      // 4 ranks x (run + 2 epochs x (train 5 steps + end, val 2 steps + end))
      List<StepEvent> steps = TopicReader.read(kafka.clientConfig(), topics.steps(),
          AvroSerde.of(StepEvent.class).deserializer(), ranks * (1 + 2 * (6 + 3)), Duration.ofSeconds(30));
      assertThat(steps).hasSize(ranks * 19);
      Thread.sleep(1000); // nothing more may come
      assertThat(TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer(), 5, Duration.ofSeconds(1))).hasSize(4);

      List<String> expected = OfflineSummaries.ofEvents(steps, OfflineSummaries::failOnNotice);
      List<String> actual = summaries.stream().map(JsonLinesCodec::encode).toList();
      assertThat(summaries).allSatisfy(s -> {
        assertThat(s.getComplete()).isTrue();
        assertThat(s.getRanks()).isEqualTo(ranks);
      });
      assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }
  }
}
