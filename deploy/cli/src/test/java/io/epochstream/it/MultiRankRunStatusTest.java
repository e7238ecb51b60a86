package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.CliRun;
import io.epochstream.topic.Topics;
import io.epochstream.web.BoardFeed;
import io.epochstream.web.RunBoard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run of two ranks through {@code publish} and a real broker: {@code runs} and the web page's
 * board both say {@code running} once rank 0 finished and {@code completed} only once rank 1 did.
 */
@ExtendWith(SharedKafka.class)
class MultiRankRunStatusTest {
  private static final String RUN = "ddp-status";
  @TempDir Path dir;

  @Test
  void aTwoRankRunIsRunningAfterRankZeroFinishedAndCompletedOnlyOnceRankOneFinished(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    String[] connect = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()};
    long start = System.currentTimeMillis();
    RunBoard board = new RunBoard(java.time.Duration.ofDays(1));
    try (BoardFeed feed = new BoardFeed(kafka.clientConfig(), topics, board)) {
      publish(connect, "first.jsonl", "{\"type\":\"run\",\"run\":\"" + RUN + "\",\"time\":" + start + ",\"world_size\":2,"
          + "\"metrics\":{\"acc\":{\"metric\":\"accuracy\",\"task\":\"binary\"}}}", finished(0, start + 1000));
      assertThat(runsStatus(connect)).isEqualTo("running");
      assertThat(runsColumn(connect, 4)).as("ranks finished of the world size").isEqualTo("1/2");
      await("the board read rank 0's finish", () -> lastEventTime(board) == start + 1000);
      assertThat(boardStatus(board)).isEqualTo("running");

      publish(connect, "second.jsonl", finished(1, start + 2000));
      assertThat(runsStatus(connect)).isEqualTo("completed");
      assertThat(runsColumn(connect, 4)).isEqualTo("2");
      await("the board read rank 1's finish", () -> lastEventTime(board) == start + 2000);
      assertThat(boardStatus(board)).isEqualTo("completed");
    }
  }

  private static String finished(int rank, long time) {
    return "{\"type\":\"run_finished\",\"run\":\"" + RUN + "\",\"rank\":" + rank + ",\"time\":" + time + ",\"status\":\"completed\"}";
  }

  private void publish(String[] connect, String file, String... lines) throws Exception {
    Path path = dir.resolve(file);
    Files.write(path, List.of(lines));
    CliRun.Outcome published = CliRun.run(args("publish", connect, path.toString()));
    assertThat(published.code()).as(published.err()).isZero();
  }

  /** The status column of the run's row (run, started date and time, status, ranks, epochs). */
  private static String runsStatus(String[] connect) {
    return runsColumn(connect, 3);
  }

  private static String runsColumn(String[] connect, int column) {
    CliRun.Outcome runs = CliRun.run(args("runs", connect));
    assertThat(runs.code()).as(runs.err()).isZero();
    String row = runs.out().lines().filter(l -> l.startsWith(RUN + " ")).findFirst().orElseThrow(
        () -> new AssertionError("no row for " + RUN + " in:\n" + runs.out()));
    return row.split("\\s+")[column];
  }

  private static JsonNode boardRun(RunBoard board) {
    for (JsonNode run : board.runs()) {
      if (run.get("run").asText().equals(RUN)) {
        return run;
      }
    }
    return null;
  }

  private static long lastEventTime(RunBoard board) {
    JsonNode run = boardRun(board);
    return run == null ? -1 : run.get("last_event_time").asLong();
  }

  private static String boardStatus(RunBoard board) {
    return boardRun(board).get("status").asText();
  }

  private static void await(String what, Callable<Boolean> condition) throws Exception {
    Await.until(what, Duration.ofSeconds(60), condition);
  }

  private static String[] args(String command, String[] connect, String... rest) {
    String[] all = new String[1 + connect.length + rest.length];
    all[0] = command;
    System.arraycopy(connect, 0, all, 1, connect.length);
    System.arraycopy(rest, 0, all, 1 + connect.length, rest.length);
    return all;
  }
}
