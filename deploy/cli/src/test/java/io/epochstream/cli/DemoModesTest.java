package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo --world-size N} and {@code demo --publish state}, as a user runs them. */
class DemoModesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void demoWithTwoRanksClosesEveryEpochWithBothRanksOverTheWholeDataSet() throws Exception {
    Path data = dir.resolve("data");
    CliRun.Outcome demo = CliRun.run("demo", "--world-size", "2", "--epochs", "2", "--run", "two-ranks",
        "--data-dir", data.toString(), "--log-dir", dir.resolve("runs").toString());
    assertThat(demo.code()).as(demo.err()).isZero();
    assertThat(demo.out()).contains("2 ranks").contains("4 of 4 summaries");

    List<JsonNode> summaries = summaries(data, "two-ranks");
    assertThat(summaries).hasSize(4).allSatisfy(s -> {
      assertThat(s.get("ranks").asInt()).isEqualTo(2);
      assertThat(s.get("complete").asBoolean()).isTrue();
      // The two shards together are the whole split: 4096 blobs, 819 (20 %) held out.
      assertThat(s.get("samples").asLong()).isEqualTo(s.get("stage").asText().equals("train") ? 3277 : 819);
    });
  }

  @Test
  void demoPublishingStateGivesTheSummariesOfDemoPublishingPredictionsAndReplaysThem() throws Exception {
    // Each training publishes into a broker of its own (a fresh --data-dir): a producer started after
    // the embedded broker restarted on used data was seen to be refused (OutOfOrderSequence).
    Path predsData = dir.resolve("preds-data");
    Path data = dir.resolve("state-data");
    String logs = dir.resolve("runs").toString();
    CliRun.Outcome preds = CliRun.run("demo", "--seed", "7", "--epochs", "2", "--run", "preds7", "--data-dir", predsData.toString(), "--log-dir", logs);
    assertThat(preds.code()).as(preds.err()).isZero();
    CliRun.Outcome state = CliRun.run("demo", "--seed", "7", "--epochs", "2", "--publish", "state", "--run", "state7",
        "--data-dir", data.toString(), "--log-dir", logs);
    assertThat(state.code()).as(state.err()).isZero();
    assertThat(state.out()).contains("publishing metric state every step");

    Map<String, JsonNode> fromPreds = byEpoch(summaries(predsData, "preds7"));
    Map<String, JsonNode> fromState = byEpoch(summaries(data, "state7"));
    assertThat(fromState.keySet()).hasSize(4).isEqualTo(fromPreds.keySet());
    fromPreds.forEach((key, p) -> {
      JsonNode s = fromState.get(key);
      assertThat(s.get("steps")).isEqualTo(p.get("steps"));
      assertThat(s.get("samples")).isEqualTo(p.get("samples"));
      List<String> names = new ArrayList<>();
      p.get("metrics").fieldNames().forEachRemaining(names::add);
      assertThat(names).contains("loss", "acc", "f1", "auroc");
      for (String name : names) {
        assertThat(s.get("metrics").get(name).asDouble()).as(key + " " + name).isCloseTo(p.get("metrics").get(name).asDouble(), within(1e-9));
      }
    });

    // Replay merges the state run's deltas again: the live summaries, value for value.
    CliRun.Outcome replayed = CliRun.run("replay", "--run", "state7", "--data-dir", data.toString());
    assertThat(replayed.code()).as(replayed.err()).isZero();
    Map<String, JsonNode> again = new HashMap<>();
    for (String line : replayed.out().strip().split("\n")) {
      JsonNode n = JSON.readTree(line);
      again.put(n.get("stage").asText() + ":" + n.get("epoch").asInt(), n);
    }
    assertThat(again).isEqualTo(fromState);

    // `train` publishes the same way, here with a delta every 5 steps; with no stream app running,
    // replay finds no summary and folds the run's steps from the topic: the demo's numbers again.
    Path trainData = dir.resolve("train-data");
    CliRun.Outcome train = CliRun.run("train", "--seed", "7", "--epochs", "2", "--publish", "state", "--state-flush-steps", "5",
        "--run", "train7", "--no-http", "--data-dir", trainData.toString());
    assertThat(train.code()).as(train.err()).isZero();
    CliRun.Outcome scanned = CliRun.run("replay", "--run", "train7", "--data-dir", trainData.toString());
    assertThat(scanned.code()).as(scanned.err()).isZero();
    List<String> scannedLines = scanned.out().strip().lines().toList();
    assertThat(scannedLines).hasSize(4);
    for (String line : scannedLines) {
      JsonNode s = JSON.readTree(line);
      JsonNode p = fromPreds.get(s.get("stage").asText() + ":" + s.get("epoch").asInt());
      assertThat(s.get("samples")).isEqualTo(p.get("samples"));
      p.get("metrics").fields().forEachRemaining(m ->
          assertThat(s.get("metrics").get(m.getKey()).asDouble()).as(m.getKey()).isCloseTo(m.getValue().asDouble(), within(1e-9)));
    }

    // New metrics need predictions, which a state run never published: one clear line, usage error.
    Path exact = dir.resolve("exact.json");
    Files.writeString(exact, "{\"metrics\":{\"ap\":{\"metric\":\"average_precision\",\"task\":\"multiclass\",\"num_classes\":4}}}");
    CliRun.Outcome refused = CliRun.run("replay", "--run", "state7", "--metrics", exact.toString(), "--data-dir", data.toString());
    assertThat(refused.code()).isEqualTo(2);
    // (stderr also carries the in-process broker's log; the command's own words are one line)
    assertThat(refused.err().lines().filter(l -> l.startsWith("epochstream replay: error:")))
        .singleElement().asString().contains("run state7 kept no predictions").contains("--publish state");
  }

  private List<JsonNode> summaries(Path data, String run) throws Exception {
    Path out = dir.resolve(run + ".jsonl");
    CliRun.Outcome log = CliRun.run("log", "--jsonl", out.toString(), "--from-beginning", "--run", run, "--data-dir", data.toString());
    assertThat(log.code()).as(log.err()).isZero();
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  private static Map<String, JsonNode> byEpoch(List<JsonNode> summaries) {
    Map<String, JsonNode> out = new HashMap<>();
    summaries.forEach(s -> out.put(s.get("stage").asText() + ":" + s.get("epoch").asInt(), s));
    return out;
  }
}
