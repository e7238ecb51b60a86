package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.jsonl.JsonLinesException;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.replay.ReplayRequestException;
import io.epochstream.trainer.TrainingInputException;
import io.epochstream.usage.UsageException;
import org.junit.jupiter.api.Test;

/** 2 says "what you asked for is refused"; 1 says "it failed while doing it". */
class ExitCodeTest {
  @Test
  void refusedInputExitsTwoAndAFailureWhileWorkingExitsOne() {
    assertThat(Main.exitCode(new UsageException("--threads must be at least 1"))).isEqualTo(2);
    assertThat(Main.exitCode(new MetricConfigException("metric", "unknown metric 'acuracy'"))).isEqualTo(2);
    assertThat(Main.exitCode(new JsonLinesException("stage", "stage must be ..."))).isEqualTo(2);
    assertThat(Main.exitCode(new TrainingInputException("rank must be in [0, world size)"))).isEqualTo(2);
    assertThat(Main.exitCode(new ReplayRequestException("unknown run 'x'"))).isEqualTo(2);
    assertThat(Main.exitCode(new IllegalStateException("--device gpu: no CUDA device is visible"))).isEqualTo(1);
    assertThat(Main.exitCode(new IllegalArgumentException("a bug's argument check"))).isEqualTo(1);
    assertThat(Main.exitCode(new RuntimeException("Kafka away"))).isEqualTo(1);
  }

  @Test
  void aBadFlagValueSaysSoInOneLineAndExitsTwo() {
    CliRun.Outcome o = CliRun.run("train", "--threads", "0", "--no-publish");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("--threads must be at least 1");
  }
}
