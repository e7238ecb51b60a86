package io.epochstream.logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.logger.csv.LightningCsvLogger;
import io.epochstream.logger.tensorboard.TensorBoardSink;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunStarted;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoggerSinksTest {
  @TempDir Path dir;

  static EpochSummary summary(String run, String stage, int epoch, long lastStep, Map<String, Double> scalars) {
    Map<String, MetricValue> metrics = new LinkedHashMap<>();
    scalars.forEach((k, v) -> metrics.put(k, new MetricValue(List.of(), List.of(v))));
    metrics.put("per_class", new MetricValue(List.of(2), List.of(0.25, 0.75)));
    return EpochSummary.newBuilder().setRun(run).setStage(stage).setEpoch(epoch).setComplete(true).setRanks(1)
        .setSteps(10).setSamples(100).setMetrics(metrics).setFirstEventTime(0).setLastEventTime(0).setClosedTime(0)
        .setLastStep(lastStep).build();
  }

  @Test
  void csvHasLightningsLayoutAndARestartedLoggerWritesNoRowTwice() throws IOException {
    List<EpochSummary> history = List.of(
        summary("r1", "train", 0, 9, Map.of("loss", 1.5, "acc", 0.5)),
        summary("r1", "val", 0, 2, Map.of("loss", 1.25, "acc", 0.625)),
        summary("r1", "train", 1, 19, Map.of("loss", 0.5, "acc", 0.75, "lr", 0.01)));
    LightningCsvLogger live = new LightningCsvLogger(dir);
    live.onRunStarted("r1", RunStarted.newBuilder().setMetrics(Map.of()).setHparams(Map.of("lr", "0.01", "model", "mlp[64, 64]")).build());
    history.forEach(live::onSummary);
    Path csv = dir.resolve("r1").resolve("metrics.csv");
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).containsExactly(
        "epoch,step,train_acc,train_loss_epoch,train_lr,val_acc,val_loss",
        "0,9,0.5,1.5,,,",
        "0,2,,,,0.625,1.25",
        "1,19,0.75,0.5,0.01,,");
    // Read back with a YAML parser: numbers stay numbers, a string that is no JSON stays that string.
    Map<String, Object> hparams = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readValue(dir.resolve("r1").resolve("hparams.yaml").toFile(),
        new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
    assertThat(hparams).containsEntry("lr", 0.01).containsEntry("model", "mlp[64, 64]").containsEntry("world_size", 1);

    // Step values (rank 0, train) slot in before their epoch's rows, whatever the arrival order.
    live.onStep(new io.epochstream.schema.StepMetrics("r1", "train", 1, 0, 12L, 0L, 4, 3L, 12L, Map.of("loss", 0.75)));
    live.onStep(new io.epochstream.schema.StepMetrics("r1", "train", 1, 1, 12L, 0L, 4, 3L, 12L, Map.of("loss", 9.0))); // rank 1: not logged
    lines = Files.readAllLines(csv);
    assertThat(lines).containsExactly(
        "epoch,step,train_acc,train_loss_epoch,train_loss_step,train_lr,val_acc,val_loss",
        "0,9,0.5,1.5,,,,",
        "0,2,,,,,0.625,1.25",
        "1,12,,,0.75,,,",
        "1,19,0.75,0.5,,0.01,,");

    // A restarted logger replaying from the beginning appends nothing new.
    LightningCsvLogger restarted = new LightningCsvLogger(dir);
    history.forEach(restarted::onSummary);
    assertThat(Files.readAllLines(csv)).isEqualTo(lines);
    // ... and appends what is new.
    restarted.onSummary(summary("r1", "val", 1, 5, Map.of("loss", 1.0, "acc", 0.7)));
    assertThat(Files.readAllLines(csv)).hasSize(6).last().isEqualTo("1,5,,,,,0.7,1.0");
  }

  @Test
  void aHostileRunIdIsRefusedAndNothingIsWrittenOutside() throws IOException {
    Path logs = dir.resolve("logs");
    for (String run : List.of("../../etc", "..", "/etc", "a/../../b", "tab\there", "x\\..\\y", "a//b", "")) {
      assertThatThrownBy(() -> LogPaths.runDirectory(logs, run)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new LightningCsvLogger(logs).onSummary(summary(run, "val", 0, 1, Map.of("loss", 1.0))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new TensorBoardSink(logs).onSummary(summary(run, "val", 0, 1, Map.of("loss", 1.0))))
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.filter(Files::isRegularFile)).isEmpty();
    }
    assertThat(LogPaths.runDirectory(logs, "run:2026-01-01T10")).isEqualTo(logs.toAbsolutePath().resolve("run:2026-01-01T10"));
  }

  @Test
  void aHierarchicalRunIdBecomesNestedDirectoriesAsTensorBoardGroupsRuns() throws IOException {
    try (LightningCsvLogger csv = new LightningCsvLogger(dir.resolve("csv")); TensorBoardSink tb = new TensorBoardSink(dir.resolve("tb"))) {
      csv.onSummary(summary("exp1/lr0.01", "train", 0, 9, Map.of("loss", 1.5)));
      tb.onSummary(summary("exp1/lr0.01", "train", 0, 9, Map.of("loss", 1.5)));
    }
    assertThat(dir.resolve("csv/exp1/lr0.01/metrics.csv")).exists();
    assertThat(TensorBoardScalars.read(dir.resolve("tb/exp1/lr0.01"))).containsKey("train/loss");
  }

  @Test
  void oneRefusedRunIsWarnedOnceCountedAndTheOtherRunsGoOn() throws IOException {
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    Sinks sinks = new Sinks(List.of(new LightningCsvLogger(dir.resolve("csv")), new TensorBoardSink(dir.resolve("tb"))),
        new java.io.PrintStream(warnings, true, StandardCharsets.UTF_8));
    for (int epoch = 0; epoch < 3; epoch++) {
      sinks.onStep(step("../../etc/passwd", epoch * 10L, 1.0));
      sinks.onSummary(summary("../../etc/passwd", "train", epoch, epoch * 10L, Map.of("loss", 1.0)));
      sinks.onRunStarted("bad\u0007run", RunStarted.newBuilder().setMetrics(Map.of()).build());
      sinks.onSummary(summary("ok", "train", epoch, epoch * 10L, Map.of("loss", 1.0)));
    }
    assertThat(sinks.refused()).containsEntry("../../etc/passwd", 6L).containsEntry("bad\u0007run", 3L);
    assertThat(sinks.refusedTotal()).isEqualTo(9);
    sinks.close();
    List<String> lines = warnings.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).filteredOn(l -> l.startsWith("epochstream log: refused run")).hasSize(2)
        .anySatisfy(l -> assertThat(l).contains("'bad\\u0007run'")); // escaped: the warning stays one line
    assertThat(lines).filteredOn(l -> l.contains("skipped 6 record(s)")).hasSize(1);
    assertThat(Files.readAllLines(dir.resolve("csv/ok/metrics.csv"))).hasSize(4);
    assertThat(TensorBoardScalars.read(dir.resolve("tb/ok")).get("train/loss")).hasSize(3);
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.filter(Files::isRegularFile).map(Path::toString)).allMatch(f -> f.contains("/ok/"));
    }
  }

  @Test
  void csvNamesWithCommasQuotesAndNewlinesCannotCorruptTheFileOrItsReadBack() throws Exception {
    Map<String, Double> odd = new LinkedHashMap<>();
    odd.put("a,b", 0.25);
    odd.put("say \"hi\"", 0.5);
    odd.put("two\nlines", 0.75);
    try (LightningCsvLogger live = new LightningCsvLogger(dir)) {
      live.onSummary(summary("r1", "val", 0, 3, odd));
      live.onStep(step("r1", 4, 1.5));
    }
    Path csv = dir.resolve("r1/metrics.csv");
    String written = Files.readString(csv);
    // A restarted logger reads the file back: what it is delivered again adds no row, a new epoch one.
    try (LightningCsvLogger restarted = new LightningCsvLogger(dir)) {
      restarted.onSummary(summary("r1", "val", 0, 3, odd));
      restarted.onStep(step("r1", 4, 1.5));
      assertThat(Files.readString(csv)).isEqualTo(written);
      restarted.onSummary(summary("r1", "val", 1, 5, odd));
    }
    // Python's csv module, a reader we did not write, sees the names and values whole.
    io.epochstream.testing.RequiredTool.require(io.epochstream.testing.RequiredTool.runs("python3", "--version"),
        "python3 is not installed: the cross-read is skipped");
    Process p = new ProcessBuilder("python3", "-c", "import csv,json,sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline='')))))",
        csv.toString()).redirectErrorStream(true).start();
    String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(json).isZero();
    List<Map<String, String>> rows = new com.fasterxml.jackson.databind.ObjectMapper().readValue(json,
        new com.fasterxml.jackson.core.type.TypeReference<List<Map<String, String>>>() {});
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0)).containsEntry("step", "4").containsEntry("train_loss_step", "1.5").containsEntry("val_a,b", "");
    assertThat(rows.get(1)).containsEntry("val_a,b", "0.25").containsEntry("val_say \"hi\"", "0.5")
        .containsEntry("val_two\nlines", "0.75").containsEntry("epoch", "0").containsEntry("train_loss_step", "");
    assertThat(rows.get(2)).containsEntry("epoch", "1").containsEntry("val_a,b", "0.25");
  }

  static io.epochstream.schema.StepMetrics step(String run, long step, double loss) {
    return new io.epochstream.schema.StepMetrics(run, "train", (int) (step / 10), 0, step, 0L, 4, 1L, 4L, Map.of("loss", loss));
  }

  @Test
  void tensorBoardEventFilesHaveValidFramingCrcsAndEverythingOnTheGlobalStep() throws IOException {
    try (TensorBoardSink sink = new TensorBoardSink(dir)) {
      sink.onStep(step("r1", 2, 1.5));
      sink.onSummary(summary("r1", "train", 3, 2, Map.of("acc", 0.625)));
      sink.onSummary(summary("r1", "val", 3, 1, Map.of("acc", 0.5)));
      sink.onSummary(summary("r1", "train", 4, 5, Map.of("acc", 0.75)));
    }
    try (Stream<Path> files = Files.list(dir.resolve("r1"))) {
      assertThat(files).singleElement().satisfies(f -> assertThat(f.getFileName().toString()).matches("events\\.out\\.tfevents\\.\\d{10}\\..+"));
    }
    Map<String, List<TensorBoardScalars.Point>> tags = TensorBoardScalars.read(dir.resolve("r1"));
    assertThat(tags.get("train/loss_step")).containsExactly(new TensorBoardScalars.Point(2, 1.5f));
    assertThat(tags.get("train/acc")).containsExactly(new TensorBoardScalars.Point(2, 0.625f), new TensorBoardScalars.Point(5, 0.75f));
    // val of epoch 3 sits where epoch 3's training ended, as Lightning logs it on the global step.
    assertThat(tags.get("val/acc")).containsExactly(new TensorBoardScalars.Point(2, 0.5f));
    assertThat(tags.get("val/per_class/1")).containsExactly(new TensorBoardScalars.Point(2, 0.75f));
    assertThat(tags.get("epoch")).containsExactly(new TensorBoardScalars.Point(2, 3f), new TensorBoardScalars.Point(5, 4f));
  }

  @Test
  void aTensorBoardLoggerRestartedMidRunLosesNoPointAndDrawsNoneTwice() throws IOException {
    // The first logger sees steps 0..24 and epochs 0 and 1 (10 steps each), then stops.
    try (TensorBoardSink first = new TensorBoardSink(dir)) {
      for (long s = 0; s < 25; s++) {
        first.onStep(step("r1", s, s / 100.0));
        if (s % 10 == 9) {
          first.onSummary(summary("r1", "train", (int) (s / 10), s, Map.of("loss", s / 10.0)));
          first.onSummary(summary("r1", "val", (int) (s / 10), s / 10, Map.of("loss", s / 20.0)));
        }
      }
    }
    // The restarted one is delivered again from step 15 and epoch 1 on (an uncommitted tail), then goes on to step 39.
    try (TensorBoardSink second = new TensorBoardSink(dir)) {
      for (long s = 15; s < 40; s++) {
        second.onStep(step("r1", s, s / 100.0));
        if (s % 10 == 9) {
          second.onSummary(summary("r1", "train", (int) (s / 10), s, Map.of("loss", s / 10.0)));
          second.onSummary(summary("r1", "val", (int) (s / 10), s / 10, Map.of("loss", s / 20.0)));
        }
      }
    }
    // And a --from-beginning rebuild on top of both adds nothing.
    try (TensorBoardSink rebuild = new TensorBoardSink(dir)) {
      for (long s = 0; s < 40; s++) {
        rebuild.onStep(step("r1", s, s / 100.0));
      }
      rebuild.onSummary(summary("r1", "val", 0, 0, Map.of("loss", 9.0 / 20)));
    }
    Map<String, List<TensorBoardScalars.Point>> tags = TensorBoardScalars.read(dir.resolve("r1"));
    assertThat(tags.get("train/loss_step")).extracting(TensorBoardScalars.Point::step)
        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 40).boxed().toList());
    assertThat(tags.get("train/loss")).extracting(TensorBoardScalars.Point::step).containsExactly(9L, 19L, 29L, 39L);
    assertThat(tags.get("val/loss")).extracting(TensorBoardScalars.Point::step).containsExactly(9L, 19L, 29L, 39L);
    assertThat(tags.get("epoch")).extracting(TensorBoardScalars.Point::value).containsExactly(0f, 1f, 2f, 3f);
  }
}
