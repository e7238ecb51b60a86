package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run id rule where a run enters on the command line: one line, exit 2, nothing started. */
class RunIdCommandLineTest {
  @TempDir Path dir;

  @Test
  void trainRefusesARunIdThatCouldLeaveALogDirectory() {
    CliRun.Outcome o = CliRun.run("train", "--no-publish", "--run", "../../etc/passwd", "--epochs", "1");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err().strip().lines().filter(l -> !l.startsWith("  ") && !l.contains(" configuration ("))).singleElement()
        .asString().contains("--run").contains("'..' segment").doesNotContain("Exception");
  }

  @Test
  void evalNamesTheLineAndTheRunFieldOfABadRunId() throws Exception {
    Path steps = dir.resolve("steps.jsonl");
    Files.writeString(steps, String.join("\n",
        "{\"type\":\"run\",\"run\":\"exp1/lr0.01\",\"metrics\":{}}",
        "{\"type\":\"step\",\"run\":\"exp1/lr0.01\",\"stage\":\"val\",\"epoch\":0,\"step\":0,\"batch_size\":1,\"loss\":0.5}",
        "{\"type\":\"epoch_end\",\"run\":\"exp1/lr0.01\",\"stage\":\"val\",\"epoch\":0}",
        "{\"type\":\"run\",\"run\":\"bad\\u0007run\",\"metrics\":{}}"));
    CliRun.Outcome o = CliRun.run("eval", steps.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.out()).contains("\"run\":\"exp1/lr0.01\"");
    assertThat(o.err().strip().lines()).satisfiesExactly(
        l -> assertThat(l).startsWith("epochstream eval: line 4: run:").contains("control character"),
        l -> assertThat(l).isEqualTo("epochstream eval: 1 line(s) refused; every other line was evaluated"));
  }
}
