package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Python writer (PyTorch tensors, {@code tolist()}, {@code json.dumps} — bare NaN and all,
 * dtypes as the Lightning example callback writes them) feeding {@code eval}: integer and boolean
 * preds are labels, float preds are scores. Expected values are TorchMetrics' documented examples.
 * Skipped where python3 with torch is not installed (Debian: python3-torch).
 */
class PythonWriterInputTypesTest {
  private static final String WRITER = String.join("\n",
      "import json, sys, torch",
      "from torch import tensor",
      "def step(run, preds, target):",
      "    print(json.dumps({'type': 'step', 'run': run, 'stage': 'val', 'epoch': 0, 'step': 0, 'loss': float('nan'),",
      "        'preds': preds.tolist(), 'target': target.tolist(),",
      "        'preds_dtype': str(preds.dtype).replace('torch.', ''), 'target_dtype': str(target.dtype).replace('torch.', '')}))",
      "    print(json.dumps({'type': 'epoch_end', 'run': run, 'stage': 'val', 'epoch': 0}))",
      "def run(run, **metric):",
      "    print(json.dumps({'type': 'run', 'run': run, 'metrics': {'m': metric}}))",
      "run('binary-labels', metric='accuracy', task='binary', threshold=1.0)",
      "step('binary-labels', tensor([0, 0, 1, 1, 0, 1]), tensor([0, 1, 0, 1, 0, 1]))",
      "run('multilabel-labels', metric='accuracy', task='multilabel', num_labels=3, average='macro')",
      "step('multilabel-labels', tensor([[0, 0, 1], [1, 0, 1]]), tensor([[0, 1, 0], [1, 0, 1]]))",
      "run('multilabel-bools', metric='accuracy', task='multilabel', num_labels=3, average=None)",
      "step('multilabel-bools', tensor([[0, 0, 1], [1, 0, 1]]) > 0, tensor([[0, 1, 0], [1, 0, 1]]))",
      "run('binary-scores', metric='accuracy', task='binary')",
      "step('binary-scores', tensor([0.11, 0.22, 0.84, 0.73, 0.33, 0.92]), tensor([0, 1, 0, 1, 0, 1]))",
      "run('regression-ints', metric='mean_squared_error')",
      "step('regression-ints', tensor([3, 5, 2, 7]), tensor([3, 5, 4, 8]))");

  @TempDir Path dir;

  @Test
  void integerAndBoolPredsFromPyTorchAreLabelsAndFloatPredsScores() throws Exception {
    Path script = dir.resolve("writer.py");
    Files.writeString(script, WRITER);
    byte[] lines = null;
    // The python3 on PATH, else Debian's (a pyenv may shadow it): the first that has torch.
    for (String python : new String[] {"python3", "/usr/bin/python3"}) {
      Process p;
      try {
        p = new ProcessBuilder(python, script.toString()).start();
      } catch (java.io.IOException absent) {
        continue;
      }
      byte[] out = p.getInputStream().readAllBytes();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() == 0) {
        lines = out;
        break;
      }
      assertThat(err).as("the writer failed for another reason than a missing torch").contains("No module named 'torch'");
    }
    io.epochstream.testing.RequiredTool.require(lines != null, "python3 with torch is not installed (Debian: python3-torch)");
    Path events = dir.resolve("events.jsonl");
    Files.write(events, lines);
    assertThat(Files.readString(events)).contains("\"loss\": NaN").contains("\"preds_dtype\": \"int64\"").contains("\"preds_dtype\": \"bool\"");

    CliRun.Outcome o = CliRun.run("eval", events.toString());
    assertThat(o.code()).as(o.err()).isZero();
    Map<String, JsonNode> byRun = new HashMap<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : o.out().strip().split("\n")) {
      JsonNode summary = json.readTree(line);
      byRun.put(summary.get("run").asText(), summary.get("metrics").get("m"));
    }
    // BinaryAccuracy docstring, "preds is int tensor": 0.6667 — here with threshold 1.0, which labels ignore.
    assertThat(byRun.get("binary-labels").asDouble()).isEqualTo(4.0 / 6);
    // MultilabelAccuracy docstring, "preds is int tensor": 0.6667, and per label [1.0, 0.5, 0.5].
    assertThat(byRun.get("multilabel-labels").asDouble()).isEqualTo(2.0 / 3);
    assertThat(byRun.get("multilabel-bools").toString()).isEqualTo("[1.0,0.5,0.5]");
    // BinaryAccuracy docstring, "preds is float tensor": 0.6667.
    assertThat(byRun.get("binary-scores").asDouble()).isEqualTo(4.0 / 6);
    // MSE of integer tensors: (0 + 0 + 4 + 1) / 4.
    assertThat(byRun.get("regression-ints").asDouble()).isEqualTo(1.25);
  }
}
