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
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "es-" + UUID.randomUUID(), dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      int code = Main.run("train", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          "--run", "stopper", "--epochs", Integer.toString(epochs), "--samples", "256", "--batch-size", "64",
          "--metrics", config.toString());
      assertThat(code).isZero();

      List<ControlEvent> control = TopicReader.read(kafka.clientConfig(), topics.control(),
          AvroSerde.of(ControlEvent.class).deserializer(), 1, Duration.ofSeconds(30));
      assertThat(control).singleElement().satisfies(c -> {
        assertThat(c.getRun()).isEqualTo("stopper");
        assertThat(((EarlyStop) c.getPayload()).getEpoch()).isEqualTo(1);
      });
      List<RunEvent> runs = TopicReader.read(kafka.clientConfig(), topics.runs(), AvroSerde.of(RunEvent.class).deserializer(), 2,
          Duration.ofSeconds(30));
      RunFinished finished = runs.stream().filter(r -> r.getPayload() instanceof RunFinished).map(r -> (RunFinished) r.getPayload())
          .findFirst().orElseThrow();
      assertThat(finished.getStatus()).isEqualTo("stopped_early");
      // It stopped long before its 400 epochs: every epoch it trained has its two summaries.
      List<EpochSummary> summaries = TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer(), 2 * epochs, Duration.ofSeconds(10));
      assertThat(summaries.size()).isBetween(4, 2 * epochs - 2);
      // Best-so-far of the tracked loss: the lowest validation loss of the run, and where it was.
      List<EpochSummary> val = summaries.stream().filter(x -> x.getStage().equals("val")).toList();
      EpochSummary lowest = val.stream().min(java.util.Comparator.comparing(x -> x.getMetrics().get("loss").getValues().get(0))).orElseThrow();
      EpochSummary lastVal = val.stream().max(java.util.Comparator.comparingInt(EpochSummary::getEpoch)).orElseThrow();
      assertThat(lastVal.getBest().get("loss").getValue()).isEqualTo(lowest.getMetrics().get("loss").getValues().get(0));
      assertThat(lastVal.getBest().get("loss").getEpoch()).isEqualTo(lowest.getEpoch());
    }
  }
}
