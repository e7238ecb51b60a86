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
    assertThat(Files.readString(dir.resolve("r1").resolve("hparams.yaml"))).contains("lr: 0.01").contains("model: 'mlp[64, 64]'");

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
    for (String run : List.of("../../etc", "..", "a/b", "tab\there", "x\\..\\y")) {
      assertThatThrownBy(() -> LogPaths.runDirectory(logs, run)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new LightningCsvLogger(logs).onSummary(summary(run, "val", 0, 1, Map.of("loss", 1.0))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new TensorBoardSink(logs).onSummary(summary(run, "val", 0, 1, Map.of("loss", 1.0))))
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.filter(Files::isRegularFile)).isEmpty();
    }
    assertThat(LogPaths.runDirectory(logs, "run:2026-01-01 v2")).isEqualTo(logs.toAbsolutePath().resolve("run:2026-01-01 v2"));
  }

  @Test
  void tensorBoardEventFilesHaveValidFramingCrcsAndTheValues() throws IOException {
    try (TensorBoardSink sink = new TensorBoardSink(dir)) {
      sink.onSummary(summary("r1", "val", 3, 2, Map.of("acc", 0.625)));
      sink.onSummary(summary("r1", "val", 4, 5, Map.of("acc", 0.75)));
    }
    Path file;
    try (Stream<Path> files = Files.list(dir.resolve("r1"))) {
      file = files.findFirst().orElseThrow();
    }
    assertThat(file.getFileName().toString()).matches("events\\.out\\.tfevents\\.\\d{10}\\..+");
    List<byte[]> records = readRecords(Files.readAllBytes(file));
    assertThat(new String(records.get(0), StandardCharsets.ISO_8859_1)).contains("brain.Event:2");
    // Then SessionLog START at the first epoch, then one Event per scalar.
    List<String> points = new ArrayList<>();
    for (byte[] r : records.subList(1, records.size())) {
      points.add(describe(r));
    }
    assertThat(points).containsExactly(
        "step 3 session_log 1",
        "step 3 val/acc=0.625", "step 3 val/per_class/0=0.25", "step 3 val/per_class/1=0.75",
        "step 4 val/acc=0.75", "step 4 val/per_class/0=0.25", "step 4 val/per_class/1=0.75");
  }

  /** TFRecord: u64 length, masked crc32c(length), data, masked crc32c(data) — checked here independently. */
  private static List<byte[]> readRecords(byte[] file) {
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> out = new ArrayList<>();
    while (b.hasRemaining()) {
      byte[] len = new byte[8];
      b.get(len);
      assertThat(b.getInt()).as("length crc").isEqualTo(mask(crc(len)));
      byte[] data = new byte[(int) ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong()];
      b.get(data);
      assertThat(b.getInt()).as("data crc").isEqualTo(mask(crc(data)));
      out.add(data);
    }
    return out;
  }

  private static long crc(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data);
    return c.getValue();
  }

  private static int mask(long crc) {
    long rotated = ((crc >>> 15) | (crc << 17)) & 0xffffffffL;
    return (int) ((rotated + 0xa282ead8L) & 0xffffffffL);
  }

  /** A minimal protobuf reading of Event{step=2, summary=5{value=1{tag=1, simple_value=2}}, session_log=7{status=1}}. */
  private static String describe(byte[] event) {
    ByteBuffer b = ByteBuffer.wrap(event).order(ByteOrder.LITTLE_ENDIAN);
    long step = -1;
    String what = "";
    while (b.hasRemaining()) {
      long key = varint(b);
      int field = (int) (key >>> 3);
      int type = (int) (key & 7);
      if (type == 1) {
        b.getDouble();
      } else if (type == 0) {
        long v = varint(b);
        if (field == 2) {
          step = v;
        }
      } else if (type == 2) {
        byte[] inner = new byte[(int) varint(b)];
        b.get(inner);
        if (field == 5) {
          ByteBuffer s = ByteBuffer.wrap(inner).order(ByteOrder.LITTLE_ENDIAN);
          varint(s); // Summary.value
          byte[] value = new byte[(int) varint(s)];
          s.get(value);
          ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
          varint(v); // Value.tag
          byte[] tag = new byte[(int) varint(v)];
          v.get(tag);
          assertThat(varint(v)).isEqualTo((2 << 3) | 5); // simple_value, fixed32
          what = new String(tag, StandardCharsets.UTF_8) + "=" + v.getFloat();
        } else if (field == 7) {
          ByteBuffer s = ByteBuffer.wrap(inner);
          varint(s);
          what = "session_log " + varint(s);
        }
      }
    }
    return "step " + step + " " + what;
  }

  private static long varint(ByteBuffer b) {
    long v = 0;
    int shift = 0;
    while (true) {
      int x = b.get() & 0xff;
      v |= (long) (x & 0x7f) << shift;
      if (x < 0x80) {
        return v;
      }
      shift += 7;
    }
  }
}
