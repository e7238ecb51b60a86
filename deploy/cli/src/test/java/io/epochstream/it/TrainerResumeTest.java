package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.StepEvent;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * `epochstream train --checkpoint-dir` as a child JVM, killed with SIGKILL after its first
 * completed epochs, restarted with the same run id: every (stage, epoch) has exactly one
 * complete summary covering the whole data set — in its step counts and in its metric state (a
 * confusion matrix counts every sample once), whether the trainer publishes predictions or its
 * own folded metric state every few steps ({@code --publish state}: a delta lost or merged twice
 * around the kill would show in the matrix).
 */
@ExtendWith(SharedKafka.class)
class TrainerResumeTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"preds", "state"})
  void killedAndRestartedTrainerCountsEveryEpochOnce(String publish, TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    int epochs = 5;
    Path metrics = Files.writeString(dir.resolve("metrics.json"),
        "{\"metrics\":{\"cm\":{\"metric\":\"confusion_matrix\",\"task\":\"multiclass\",\"num_classes\":4}}}");
    List<String> command = ServiceProcess.cliCommand("train", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(), "--run", "resumed",
        "--epochs", Integer.toString(epochs), "--samples", "30000", "--checkpoint-dir", dir.resolve("ckpt").toString(),
        "--metrics", metrics.toString(), "--publish", publish, "--state-flush-steps", "7");
    Path progress = dir.resolve("ckpt").resolve("resumed").resolve("rank-0").resolve("progress.properties");
    String appId = "r-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      Process first = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile()).start();
      Await.until("the trainer's checkpoint after epoch 1", Duration.ofSeconds(300), () -> {
        assertThat(first.isAlive()).as(() -> "trainer still running; its log:\n" + log(dir.resolve("first.log"))).isTrue();
        return Files.exists(progress) && Files.readString(progress).contains("epoch=1");
      });
      first.destroyForcibly(); // SIGKILL after epoch 1, somewhere in epoch 2
      first.waitFor(30, TimeUnit.SECONDS);

      Process second = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("second.log").toFile()).start();
      assertThat(second.waitFor(180, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).as(Files.readString(dir.resolve("second.log"))).isZero();

      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      Map<String, Long> perEpoch = summaries.stream().collect(Collectors.groupingBy(s -> s.getStage() + s.getEpoch(), Collectors.counting()));
      assertThat(perEpoch).hasSize(2 * epochs).allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1));
      assertThat(summaries).allSatisfy(s -> {
        assertThat(s.getComplete()).isTrue();
        long samples = s.getStage().equals("train") ? 24000 : 6000;
        assertThat(s.getSamples()).isEqualTo(samples);
        double counted = s.getMetrics().get("cm").getValues().stream().mapToDouble(Double::doubleValue).sum();
        assertThat(counted).as("%s %d: samples in the confusion matrix", s.getStage(), s.getEpoch()).isEqualTo((double) samples);
      });
      if (publish.equals("preds")) {
        // Both trainers' steps as published, the killed one's included: the naive reference counts a
        // repeated step number once, as the stream app must.
        SummaryView.assertSameEpochs(SentEvents.expected(TopicReader.readAll(kafka.clientConfig(), topics.steps(),
            AvroSerde.of(StepEvent.class).deserializer())), SentEvents.views(summaries));
      }
      List<RunEvent> runs = TopicReader.readAll(kafka.clientConfig(), topics.runs(), AvroSerde.of(RunEvent.class).deserializer());
      assertThat(runs.stream().filter(r -> r.getPayload() instanceof RunFinished).map(r -> ((RunFinished) r.getPayload()).getStatus()))
          .containsExactly("completed");
    }
  }

  private static String log(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
