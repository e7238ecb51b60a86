package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it, run in-process with stdout and stderr captured. */
class MainTest {
  @TempDir Path dir;

  static CliRun.Outcome run(String... args) {
    return CliRun.run(args);
  }

  @Test
  void demoPrintsEveryEpochAndLaterCommandsFindItsData() throws Exception {
    Path data = dir.resolve("data");
    Path logs = dir.resolve("runs");
    CliRun.Outcome demo = run("demo", "--epochs", "2", "--run", "cli-demo", "--data-dir", data.toString(), "--log-dir", logs.toString());
    assertThat(demo.code()).as(demo.err()).isZero();
    assertThat(demo.rows("train")).hasSize(2);
    assertThat(demo.rows("val")).hasSize(2);
    assertThat(demo.out()).contains("4 of 4 summaries");
    assertThat(Files.isDirectory(data.resolve("kafka"))).isTrue();

    // A newcomer's next commands: a bare `log` and `epochs` show the run started last (the demo's)
    // and say so; one-shot commands print no service configuration block.
    CliRun.Outcome bare = run("log", "--data-dir", data.toString());
    assertThat(bare.code()).as(bare.err()).isZero();
    assertThat(bare.rows("val")).isEqualTo(demo.rows("val"));
    assertThat(bare.err()).contains("run cli-demo, the one started last");
    CliRun.Outcome latest = run("epochs", "--data-dir", data.toString());
    assertThat(latest.rows("train")).isEqualTo(demo.rows("train"));
    assertThat(latest.err()).contains("run cli-demo, the one started last");
    for (CliRun.Outcome oneShot : List.of(bare, latest, run("runs", "--data-dir", data.toString()),
        run("replay", "--run", "cli-demo", "--data-dir", data.toString()))) {
      assertThat(oneShot.err()).doesNotContain("configuration (flag");
    }

    // The broker is gone with the demo; `log` restarts it on the same data and finds the history.
    CliRun.Outcome log = run("log", "--from-beginning", "--run", "cli-demo", "--data-dir", data.toString());
    assertThat(log.code()).as(log.err()).isZero();
    assertThat(log.rows("train")).isEqualTo(demo.rows("train"));
    assertThat(log.rows("val")).isEqualTo(demo.rows("val"));

    // The demo wrote Lightning CSV and TensorBoard logs and said where.
    Path liveCsv = logs.resolve("csv").resolve("cli-demo").resolve("metrics.csv");
    assertThat(demo.out()).contains("logs: " + liveCsv);
    List<String> csvLines = Files.readAllLines(liveCsv);
    assertThat(csvLines.get(0)).startsWith("epoch,step,train_acc").contains("train_loss_epoch", "train_loss_step", "val_acc");
    // 2 epochs x 52 training steps (rank 0's step values) + 4 epoch rows, after the header
    assertThat(csvLines).hasSize(1 + 2 * 52 + 4);
    assertThat(csvLines.stream().filter(l -> l.matches("^\\d+,\\d+,0\\.\\d+.*")).count()).isEqualTo(2); // train epoch rows
    try (var tb = Files.list(logs.resolve("tensorboard").resolve("cli-demo"))) {
      assertThat(tb).singleElement().asString().contains("events.out.tfevents.");
    }
    // --from-beginning rebuilds the same CSV; running it again adds no row.
    Path rebuilt = dir.resolve("rebuilt");
    assertThat(run("log", "--csv", rebuilt.toString(), "--from-beginning", "--run", "cli-demo", "--data-dir", data.toString()).code()).isZero();
    Path rebuiltCsv = rebuilt.resolve("cli-demo").resolve("metrics.csv");
    assertThat(Files.readAllLines(rebuiltCsv)).isEqualTo(Files.readAllLines(liveCsv));
    assertThat(run("log", "--csv", rebuilt.toString(), "--from-beginning", "--run", "cli-demo", "--data-dir", data.toString()).code()).isZero();
    assertThat(Files.readAllLines(rebuiltCsv)).isEqualTo(Files.readAllLines(liveCsv));
    assertThat(Files.readString(rebuilt.resolve("cli-demo").resolve("hparams.yaml"))).contains("seed: 42");

    // With a group, a second run of the same logger has nothing new to write.
    Path grouped = dir.resolve("grouped.jsonl");
    assertThat(run("log", "--jsonl", grouped.toString(), "--group", "g1", "--from-beginning", "--run", "cli-demo", "--data-dir", data.toString()).code()).isZero();
    assertThat(Files.readAllLines(grouped)).hasSize(4);
    assertThat(run("log", "--jsonl", grouped.toString(), "--group", "g1", "--from-beginning", "--run", "cli-demo", "--data-dir", data.toString()).code()).isZero();
    assertThat(Files.readAllLines(grouped)).hasSize(4); // appended nothing: no duplicate lines

    // In the demo's directory, replay needs nothing but the run and reproduces the summaries.
    CliRun.Outcome replayed = run("replay", "--run", "cli-demo", "--data-dir", data.toString());
    assertThat(replayed.code()).as(replayed.err()).isZero();
    assertThat(replayed.out().strip().lines()).hasSize(4).allSatisfy(l -> assertThat(l).startsWith("{\"run\":\"cli-demo\""));
    CliRun.Outcome runs = run("runs", "--data-dir", data.toString());
    assertThat(runs.out()).containsPattern("cli-demo\\s+\\d{4}-\\d\\d-\\d\\d \\S+\\s+completed\\s+1\\s+4");
    assertThat(run("epochs", "--run", "cli-demo", "--data-dir", data.toString()).rows("val")).isEqualTo(demo.rows("val"));
    assertThat(run("replay", "--run", "nobody", "--data-dir", data.toString()).err()).contains("unknown run 'nobody'");

    Path jsonl = dir.resolve("out.jsonl");
    assertThat(run("log", "--jsonl", jsonl.toString(), "--from-beginning", "--run", "cli-demo", "--data-dir", data.toString()).code()).isZero();
    assertThat(Files.readAllLines(jsonl)).hasSize(4).allSatisfy(l -> assertThat(l).startsWith("{\"run\":\"cli-demo\""));
  }

  @Test
  void aBadFlagGivesOneLineAndExitCodeTwo() {
    CliRun.Outcome o = run("demo", "--epochs", "many");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err().strip().lines()).hasSize(1);
    assertThat(o.err()).contains("--epochs").contains("many").contains("--help");
    assertThat(o.err()).doesNotContain("Exception");
  }

  @Test
  void anUnknownCommandOrNoCommandIsAUsageError() {
    assertThat(run("fly").code()).isEqualTo(2);
    assertThat(run().code()).isEqualTo(2);
  }

  @Test
  void invalidTrainingSettingsAreOneLineErrors() {
    CliRun.Outcome o = run("train", "--no-publish", "--rank", "3", "--world-size", "2");
    assertThat(o.code()).isEqualTo(2);
    // Services print their configuration block first; after it comes the error, on one line.
    assertThat(o.err().strip().lines().filter(l -> !l.startsWith("  ") && !l.contains(" configuration ("))).singleElement()
        .asString().contains("rank must be in [0, world size)");
  }

  @Test
  void evalPrintsClosedEpochsOfEveryRunAndRefusesEachBadLineAlone() throws Exception {
    String r1 = String.join("\n",
        "{\"type\":\"run\",\"run\":\"r1\",\"metrics\":{\"acc\":{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":3,\"average\":\"macro\"}}}",
        "{\"type\":\"step\",\"run\":\"r1\",\"stage\":\"val\",\"epoch\":0,\"step\":0,\"batch_size\":4,\"loss\":0.42,"
            + "\"preds\":[[0.1,0.8,0.1],[0.7,0.2,0.1],[0.2,0.2,0.6],[0.9,0.05,0.05]],\"target\":[1,0,2,1]}",
        "{\"type\":\"epoch_end\",\"run\":\"r1\",\"stage\":\"val\",\"epoch\":0}");
    Path good = dir.resolve("good.jsonl");
    Files.writeString(good, r1);
    CliRun.Outcome o = run("eval", good.toString());
    assertThat(o.code()).as(o.err()).isZero();
    // Per-class recall [1, 0.5, 1] -> macro 0.8333...
    String summary = "{\"run\":\"r1\",\"stage\":\"val\",\"epoch\":0,\"complete\":true,\"ranks\":1,"
        + "\"steps\":1,\"samples\":4,\"metrics\":{\"loss\":0.42,\"acc\":" + (2.5 / 3) + "}}";
    assertThat(o.out().strip()).isEqualTo(summary);

    // Run r2 with a class out of range on line 2, then r1 whole: r1 is still evaluated, r2 without its bad step.
    Path many = dir.resolve("many.jsonl");
    Files.writeString(many, r1.replace("\"r1\"", "\"r2\"").replace("[1,0,2,1]", "[1,0,7,1]") + "\n" + r1);
    CliRun.Outcome b = run("eval", many.toString());
    assertThat(b.code()).isEqualTo(2);
    assertThat(b.out().strip().lines()).satisfiesExactly(
        l -> assertThat(l).startsWith("{\"run\":\"r2\",\"stage\":\"val\",\"epoch\":0,\"complete\":true,\"ranks\":1,\"steps\":0,\"samples\":0,"),
        l -> assertThat(l).isEqualTo(summary));
    assertThat(b.err().strip().lines()).satisfiesExactly(
        l -> assertThat(l).startsWith("epochstream eval: line 2: target:").contains("7"),
        l -> assertThat(l).isEqualTo("epochstream eval: 1 line(s) refused; every other line was evaluated"));
    assertThat(b.err()).doesNotContain("Exception");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : List.of("demo", "broker", "stream", "train", "log", "eval", "replay", "publish", "runs", "epochs")) {
      CliRun.Outcome o = run(command, "--help");
      assertThat(o.code()).isZero();
      assertThat(o.out()).containsOnlyOnce("Usage: epochstream " + command);
    }
  }
}
