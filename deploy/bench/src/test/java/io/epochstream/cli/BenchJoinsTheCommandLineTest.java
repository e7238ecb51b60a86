package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** With the benchmark jar on the class path, {@code epochstream bench} is there as before the split. */
class BenchJoinsTheCommandLineTest {
  @Test
  void benchIsACommandWhenItsJarIsOnTheClassPath() {
    CliRun.Outcome help = CliRun.run("bench", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).containsOnlyOnce("Usage: epochstream bench").contains("--quick", "--only");
  }

  @Test
  void benchIsListedAfterTheBuiltInCommands() {
    CliRun.Outcome help = CliRun.run("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).containsSubsequence("  epochs", "  bench");
  }

  @Test
  void benchTakesTheInheritedConfigOptions() {
    CliRun.Outcome help = CliRun.run("bench", "--help");
    assertThat(help.out()).contains("--config=FILE", "--print-config");
  }
}
