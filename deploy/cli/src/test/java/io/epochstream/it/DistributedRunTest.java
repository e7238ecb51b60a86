package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.publish.StepPublisher;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.trainer.DefaultMetrics;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import io.epochstream.cli.Main;
import io.epochstream.reference.SentLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stream-app instances with one application id, four trainer ranks each on its shard: exactly
 * one complete summary per (stage, epoch), with the samples and steps the ranks' shards hold and the
 * values the naive reference gives over the very step events the ranks published ({@code eval}
 * agrees, line for line). And a rank a whole run behind the other: stage 2 holds the first rank's
 * states of every epoch, 0 to 11, when the second's arrive, and each epoch merges its own alone
 * (epoch 1's are not epoch 10's), the second rank ending each epoch but the last with its first
 * step of the next.
 */
@ExtendWith(SharedKafka.class)
class DistributedRunTest {
  @TempDir Path dir;

  @Test
  void fourRanksTwoInstancesCloseEachEpochOnceAsTheNaiveReferenceSays(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 4);
    String appId = "d-" + UUID.randomUUID();
    int ranks = 4;
    TrainingConfig config = new TrainingConfig("dist", 0, ranks, 2, 50, 0.01f, 3, 1200, 20, 4, new int[] {32}, 0.2);
    try (MetricsStreamApp a = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("a"));
         MetricsStreamApp b = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("b"))) {
      a.streams().start();
      b.streams().start();
      Await.until("both instances running", Duration.ofSeconds(90),
          () -> a.state() == KafkaStreams.State.RUNNING && b.state() == KafkaStreams.State.RUNNING);
      for (int rank = 0; rank < ranks; rank++) {
        try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, config.run(), rank)) {
          publisher.runStarted(ranks, DefaultMetrics.multiclass(4), Map.of(), config.hparams());
          new TrainingJob(config.withRank(rank, ranks)).run(publisher);
          publisher.flush();
        }
      }
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(90));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      // 4 ranks x (run + 2 epochs x (train 5 steps + end, val 2 steps + end)): 240 train samples per
      // rank in batches of 50, 60 val.
      List<StepEvent> steps = TopicReader.readAll(kafka.clientConfig(), topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
      assertThat(steps).hasSize(ranks * (1 + 2 * (6 + 3)));
      assertThat(summaries).hasSize(4).allSatisfy(s -> {
        assertThat(s.getSamples()).isEqualTo(s.getStage().equals("train") ? 960 : 240);
        assertThat(s.getSteps()).isEqualTo(s.getStage().equals("train") ? ranks * 5 : ranks * 2);
      });
      SummaryView.assertSameEpochs(SentEvents.expected(steps), SentEvents.views(summaries));
      List<String> expected = OfflineSummaries.ofEvents(steps, OfflineSummaries::failOnNotice);
      List<String> actual = summaries.stream().map(JsonLinesCodec::encode).toList();
      assertThat(actual).as("eval, a second check").containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void aRankAWholeRunBehindTheOtherGetsEveryEpochMergedFromItsOwnStates(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    String appId = "lag-" + UUID.randomUUID();
    int epochs = 12;
    List<String> lines = List.of(RealisticScaleTest.ranksJsonLines("lag", 2, epochs, 12, "train").split("\n"));
    // Rank 0's whole run, then (once the app has read it all, so stage 2 holds its states of every
    // epoch) rank 1's; each file starts with the run line, each rank's own order is kept. Rank 1
    // ends only its last epoch, each other one with its first step of the next, and leaves its
    // batch size to be counted from its targets.
    String lastEnd = "\"epoch\":" + (epochs - 1) + "}";
    List<String> sent = new java.util.ArrayList<>();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("lag"))) {
      app.start(Duration.ofSeconds(90));
      for (String rank : List.of("\"rank\":0,", "\"rank\":1,")) {
        boolean implicit = rank.contains("1");
        List<String> file = new java.util.ArrayList<>(lines.subList(0, 1));
        lines.stream().skip(1).filter(l -> l.contains(rank))
            .filter(l -> !implicit || !l.contains("\"type\":\"epoch_end\"") || l.endsWith(lastEnd))
            .map(l -> implicit ? l.replace("\"batch_size\":8,", "") : l)
            .forEach(file::add);
        Path path = dir.resolve("lag-" + sent.size() + ".jsonl");
        Files.write(path, file);
        sent.addAll(file);
        assertThat(Main.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
            path.toString())).isZero();
        StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(90));
      }
      assertThat(sent).hasSize(lines.size() + 1 - (epochs - 1));
      assertThat(sent.stream().filter(l -> l.contains("\"rank\":1,") && !l.contains("batch_size")).count()).isEqualTo(epochs * 3 - (epochs - 1));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      assertThat(summaries).hasSize(epochs).allSatisfy(s -> assertThat(s.getSamples()).isEqualTo(2 * 2 * 8));
      SummaryView.assertSameEpochs(io.epochstream.reference.NaiveEpochs.of(SentLines.parse(sent)), SentEvents.views(summaries));
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
    }
  }
}
