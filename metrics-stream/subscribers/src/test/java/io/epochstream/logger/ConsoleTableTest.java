package io.epochstream.logger;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.schema.StepMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleTableTest {
  private static StepMetrics step(int epoch, long stepsSoFar, double loss) {
    return new StepMetrics("r1", "train", epoch, 0, stepsSoFar - 1, 0L, 4, stepsSoFar, stepsSoFar * 4, Map.of("loss", loss));
  }

  @Test
  void onATerminalAProgressLineIsRedrawnAndReplacedByTheRow() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleTable table = new ConsoleTable(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
    assertThat(table.wantsSteps()).isTrue();
    table.onStep(step(0, 1, 2.0));
    table.onStep(step(0, 2, 1.0));
    table.onSummary(LoggerSinksTest.summary("r1", "train", 0, 1, Map.of("loss", 1.5)));
    table.onStep(step(1, 1, 1.0));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("\r\033[2K  r1 train epoch 0: 2 steps").contains("loss 1.5000");
    assertThat(out).contains("epoch 1: 1 steps").contains("ETA"); // epoch 0 told the length: 10 steps
    assertThat(out).contains("loss 1.5000\r\033[2Krun "); // the table replaces the progress line
  }

  @Test
  void withoutATerminalThereAreRowsOnlyAndNoEscapeCodes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleTable table = new ConsoleTable(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
    assertThat(table.wantsSteps()).isFalse();
    table.onStep(step(0, 1, 2.0));
    table.onSummary(LoggerSinksTest.summary("r1", "train", 0, 1, Map.of("loss", 1.5, "acc", 0.5)));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain("\033").doesNotContain("\r");
    assertThat(out.lines()).hasSize(3); // header, rule, row
    assertThat(out.lines().toList().get(2)).startsWith("r1").contains("1.5000").contains("0.5000");
  }

  @Test
  void controlCharactersInRunOrMetricNamesCannotDriveTheTerminal() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleTable table = new ConsoleTable(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
    table.onSummary(LoggerSinksTest.summary("r\u001b[2J1", "train", 0, 1, Map.of("loss", 1.5, "x\u001b[31m\ny", 0.5)));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain("\033");
    assertThat(out.lines()).hasSize(3);
    assertThat(out).contains("r\\u001b[2J1").contains("x\\u001b[31m\\u000ay");
  }
}
