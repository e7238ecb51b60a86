package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.cli.CliRun;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands on one {@code --data-dir} share its embedded broker, whichever command started it: a
 * running {@code stream} serves the broker it started to {@code publish} and {@code epochs}, and two
 * commands never run two brokers on one directory. Child processes, as an operator runs them.
 */
class SharedDataDirectoryTest {
  @TempDir Path dir;

  /**
   * Two steps of one epoch, batches of 2 and 3: 3 of 5 predictions right, so accuracy over the
   * epoch is 3/5 = 0.6 (a mean of the batch accuracies would be (2/2 + 1/3) / 2 = 0.667); the loss,
   * weighted by batch size, (0.5 * 2 + 1.0 * 3) / 5 = 0.8.
   */
  private static List<String> run(String run) {
    return List.of(
        "{\"type\":\"run\",\"run\":\"" + run + "\",\"time\":1000,\"world_size\":1,"
            + "\"metrics\":{\"acc\":{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":3}}}",
        "{\"type\":\"step\",\"run\":\"" + run + "\",\"stage\":\"train\",\"epoch\":0,\"rank\":0,\"time\":2000,\"step\":0,"
            + "\"batch_size\":2,\"loss\":0.5,\"preds\":[[0.8,0.1,0.1],[0.1,0.8,0.1]],\"target\":[0,1]}",
        "{\"type\":\"step\",\"run\":\"" + run + "\",\"stage\":\"train\",\"epoch\":0,\"rank\":0,\"time\":2010,\"step\":1,"
            + "\"batch_size\":3,\"loss\":1.0,\"preds\":[[0.1,0.1,0.8],[0.7,0.2,0.1],[0.2,0.7,0.1]],\"target\":[2,1,0]}",
        "{\"type\":\"epoch_end\",\"run\":\"" + run + "\",\"stage\":\"train\",\"epoch\":0,\"rank\":0,\"time\":2900,\"steps\":2}");
  }

  @Test
  void commandsOnTheDataDirectoryOfARunningStreamUseTheBrokerItStarted() throws Exception {
    Path data = dir.resolve("data");
    Path steps = Files.write(dir.resolve("steps.jsonl"), run("shared"));
    try (ServiceProcess stream = ServiceProcess.start("stream", "--data-dir", data.toString(), "--no-http")) {
      String bootstrap = stream.await("running on (\\S+) \\(embedded, data in ", Duration.ofSeconds(180)).group(1);

      CliRun.Outcome published = CliRun.run("publish", "--data-dir", data.toString(), steps.toString());
      assertThat(published.code()).as(published.err()).isZero();
      String row = awaitRow(data, "shared", Duration.ofSeconds(60));
      assertThat(row.split("\\s+")).contains("0.8000", "0.6000", "5");

      // The directory has its broker: `broker` says so in one line rather than start a second one.
      CliRun.Outcome second = CliRun.run("broker", "--data-dir", data.toString());
      assertThat(second.code()).isEqualTo(1);
      assertThat(second.err().lines().filter(l -> l.contains("error:")))
          .singleElement().asString().contains("another embedded broker runs on " + data);
      Properties advertised = new Properties();
      try (Reader in = Files.newBufferedReader(data.resolve("broker.properties"))) {
        advertised.load(in);
      }
      assertThat(advertised.getProperty("bootstrap.servers")).isEqualTo(bootstrap);

      assertThat(stream.terminate(Duration.ofSeconds(60))).isEqualTo(143);
      // A first start restores nothing and says nothing about it.
      assertThat(stream.output()).doesNotContain("restored");
    }
    // Withdrawn with the stream: the next command starts the directory's broker again, on its data.
    assertThat(data.resolve("broker.properties")).doesNotExist();
    CliRun.Outcome again = CliRun.run("epochs", "--data-dir", data.toString(), "--run", "shared");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("shared");
  }

  @Test
  void twoCommandsStartedTogetherOnANewDirectoryBothSucceedOnOneBrokerAtATime() throws Exception {
    Path data = dir.resolve("data");
    Path a = Files.write(dir.resolve("a.jsonl"), run("a"));
    Path b = Files.write(dir.resolve("b.jsonl"), run("b"));
    try (ServiceProcess first = ServiceProcess.start("publish", "--data-dir", data.toString(), a.toString());
         ServiceProcess second = ServiceProcess.start("publish", "--data-dir", data.toString(), b.toString())) {
      assertThat(first.waitFor(Duration.ofSeconds(180))).as(first.output()).isZero();
      assertThat(second.waitFor(Duration.ofSeconds(180))).as(second.output()).isZero();
    }
    CliRun.Outcome runs = CliRun.run("runs", "--data-dir", data.toString());
    assertThat(runs.code()).as(runs.err()).isZero();
    assertThat(runs.out().lines().map(l -> l.split("\\s+")[0])).contains("a", "b");
  }

  /** The run's train row of `epochs`, once the stream app has closed its epoch. */
  private static String awaitRow(Path data, String run, Duration timeout) throws Exception {
    return Await.until("a train row of " + run, timeout, () -> CliRun.run("epochs", "--data-dir", data.toString(), "--run", run),
        o -> !o.rows("train").isEmpty()).rows("train").get(0);
  }
}
