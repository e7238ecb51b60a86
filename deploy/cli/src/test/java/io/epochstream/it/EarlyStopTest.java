package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.cli.Main;
import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.StepEvent;
import io.epochstream.reference.ExpectedEpoch;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream app's EarlyStop reaches the trainer through the control topic: `epochstream train`
 * stops after the epoch during which it arrived and says so in RunFinished.
 */
@ExtendWith(SharedKafka.class)
class EarlyStopTest {
  @TempDir Path dir;

  @Test
  void theTrainerStopsOnTheStreamAppsSignalAndSaysSo(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    // val loss never improves by 10: the rule fires at epoch 1's validation summary.
    Path config = dir.resolve("metrics.json");
    Files.writeString(config, "{\"metrics\":{},\"best\":{\"loss\":\"min\"},"
        + "\"early_stopping\":{\"monitor\":\"loss\",\"stage\":\"val\",\"patience\":1,\"min_delta\":10}}");
    int epochs = 400;
    String appId = "es-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      int code = Main.run("train", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          "--run", "stopper", "--epochs", Integer.toString(epochs), "--samples", "256", "--batch-size", "64",
          "--metrics", config.toString());
      assertThat(code).isZero();
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));

      List<ControlEvent> control = TopicReader.readAll(kafka.clientConfig(), topics.control(), AvroSerde.of(ControlEvent.class).deserializer());
      assertThat(control).singleElement().satisfies(c -> {
        assertThat(c.getRun()).isEqualTo("stopper");
        assertThat(((EarlyStop) c.getPayload()).getEpoch()).isEqualTo(1);
      });
      List<RunEvent> runs = TopicReader.readAll(kafka.clientConfig(), topics.runs(), AvroSerde.of(RunEvent.class).deserializer());
      assertThat(runs.stream().filter(r -> r.getPayload() instanceof RunFinished).map(r -> ((RunFinished) r.getPayload()).getStatus()))
          .containsExactly("stopped_early");
      // It stopped long before its 400 epochs: every epoch it trained has its two summaries, each
      // the naive reference's over the steps it published.
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      List<ExpectedEpoch> expected = SentEvents.expected(TopicReader.readAll(kafka.clientConfig(), topics.steps(),
          AvroSerde.of(StepEvent.class).deserializer()));
      assertThat(expected.size()).isBetween(4, 2 * epochs - 2);
      SummaryView.assertSameEpochs(expected, SentEvents.views(summaries));
      // Best-so-far of the tracked loss: the lowest validation loss of the run, and where it was.
      ExpectedEpoch lowest = expected.stream().filter(x -> x.stage().equals("val"))
          .min(java.util.Comparator.comparing(x -> x.metrics().get("loss")[0])).orElseThrow();
      EpochSummary lastVal = summaries.stream().filter(x -> x.getStage().equals("val"))
          .max(java.util.Comparator.comparingInt(EpochSummary::getEpoch)).orElseThrow();
      assertThat(lastVal.getBest().get("loss").getValue()).isCloseTo(lowest.metrics().get("loss")[0], org.assertj.core.api.Assertions.within(1e-9));
      assertThat(lastVal.getBest().get("loss").getEpoch()).isEqualTo(lowest.epoch());
    }
  }
}
