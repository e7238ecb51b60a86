package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.CliRun;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.testing.RequiredTool;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runs --delete}: two runs through the real stream app, one of them deleted. The deleted
 * run's id contains ':' and the kept run's id extends it ({@code RUN + ":b"}), so a key match that
 * only looks at the prefix would delete the wrong run.
 */
@ExtendWith(SharedKafka.class)
class DeleteRunTest {
  private static final String RUN = "team:exp-1";
  private static final String KEPT = RUN + ":b";
  private static final int RANKS = 2;
  private static final int EPOCHS = 2;
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void deleteTombstonesTheRunOnTheCompactedTopicsAndTellsEachRankKeyOnlyAfterConfirmation(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 3);
    String appId = "del-" + UUID.randomUUID();
    String[] connect = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()};
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("state"))) {
      app.start(Duration.ofSeconds(60));
      Path lines = dir.resolve("runs.jsonl");
      List<String> all = new ArrayList<>();
      for (String run : List.of(KEPT, RUN)) { // RUN is the run started last
        all.add(runLine(run));
        for (int rank = 0; rank < RANKS; rank++) {
          all.addAll(StepLines.rank(run, rank, EPOCHS, 7));
        }
        all.add("{\"type\":\"run_finished\",\"run\":\"" + run + "\",\"status\":\"completed\"}");
      }
      Files.write(lines, all);
      assertThat(CliRun.run(args("publish", connect, lines.toString())).code()).isZero();
      // Every (stage, epoch) of both runs closed, and the early-stopping rule fired for both.
      await("both runs' summaries and early stops", () -> {
        Map<String, Boolean> summaries = TopicReader.liveByKey(kafka.clientConfig(), topics.epochSummaries());
        Map<String, Boolean> control = TopicReader.liveByKey(kafka.clientConfig(), topics.control());
        return summaryKeys(RUN).stream().allMatch(k -> summaries.getOrDefault(k, false))
            && summaryKeys(KEPT).stream().allMatch(k -> summaries.getOrDefault(k, false))
            && control.getOrDefault(RUN, false) && control.getOrDefault(KEPT, false);
      });
      assertThat(CliRun.run(args("runs", connect)).out().lines().map(l -> l.split("\\s+")[0])).contains(KEPT, RUN);
      assertThat(CliRun.run(args("epochs", connect)).err()).contains("run " + RUN + ", the one started last");
      assertThat(liveKeysOf(ChangelogKeys.liveByKey(kafka.clientConfig(), appId), RUN)).as("the run's state before").isNotEmpty();
      List<String> written = List.of(topics.runs(), topics.steps(), topics.epochSummaries(), topics.control());
      Map<TopicPartition, Long> before = endOffsets(kafka, written);

      // No terminal here (surefire's stdin is a pipe): without --yes nothing is read or written.
      CliRun.Outcome refused = CliRun.run(args("runs", connect, "--delete", RUN));
      assertThat(refused.code()).isEqualTo(2);
      assertThat(refused.err().strip()).doesNotContain("\n").contains("--yes").contains("'" + RUN + "'");
      assertThat(endOffsets(kafka, written)).isEqualTo(before);

      // Deleting is said on the command line: an environment (or a shared --config file) never deletes.
      CliRun.Outcome fromEnv = CliRun.run(Map.of("EPOCHSTREAM_DELETE", RUN, "EPOCHSTREAM_YES", "true"), args("runs", connect));
      assertThat(fromEnv.code()).isEqualTo(2);
      assertThat(fromEnv.err().strip()).doesNotContain("\n").contains("--delete counts only on the command line");
      CliRun.Outcome yesFromEnv = CliRun.run(Map.of("EPOCHSTREAM_YES", "true"), args("runs", connect, "--delete", RUN));
      assertThat(yesFromEnv.code()).isEqualTo(2);
      assertThat(yesFromEnv.err().strip()).doesNotContain("\n").contains("--yes counts only on the command line");
      assertThat(endOffsets(kafka, written)).isEqualTo(before);

      CliRun.Outcome unknown = CliRun.run(args("runs", connect, "--delete", "team:nope", "--yes"));
      assertThat(unknown.code()).isEqualTo(1);
      assertThat(unknown.err().strip()).doesNotContain("\n").startsWith("epochstream runs: no run 'team:nope' on " + topics.runs());
      assertThat(endOffsets(kafka, written)).isEqualTo(before);

      CliRun.Outcome deleted = CliRun.run(args("runs", connect, "--delete", RUN, "--yes", "--value-format", "json"));
      assertThat(deleted.code()).as(deleted.err()).isZero();
      assertThat(deleted.out()).contains("deleted run " + RUN + ": " + summaryKeys(RUN).size()
          + " summaries, 1 run record, 1 control record tombstoned; the stream app was told to drop its state");

      Map<String, Boolean> runs = TopicReader.liveByKey(kafka.clientConfig(), topics.runs());
      assertThat(runs).containsEntry(RUN, false).containsEntry(KEPT, true);
      Map<String, Boolean> summaries = TopicReader.liveByKey(kafka.clientConfig(), topics.epochSummaries());
      assertThat(summaries.keySet().stream().filter(k -> k.startsWith(RUN + ":") && !k.startsWith(KEPT + ":")))
          .containsExactlyInAnyOrderElementsOf(summaryKeys(RUN));
      summaryKeys(RUN).forEach(k -> assertThat(summaries).containsEntry(k, false));
      summaryKeys(KEPT).forEach(k -> assertThat(summaries).containsEntry(k, true));
      Map<String, Boolean> control = TopicReader.liveByKey(kafka.clientConfig(), topics.control());
      assertThat(control).containsEntry(RUN, false).containsEntry(KEPT, true);

      // What is left is listed as if the deleted run had never been, before compaction removes its records.
      CliRun.Outcome listed = CliRun.run(args("runs", connect));
      assertThat(listed.out().lines().map(l -> l.split("\\s+")[0])).contains(KEPT).doesNotContain(RUN);
      assertThat(CliRun.run(args("epochs", connect)).err()).contains("run " + KEPT + ", the one started last");
      CliRun.Outcome asked = CliRun.run(args("epochs", connect, "--run", RUN));
      assertThat(asked.code()).isZero();
      assertThat(asked.rows("train")).isEmpty();
      assertThat(asked.err()).contains("run " + RUN + " was deleted (runs --delete)");
      assertThat(CliRun.run(args("epochs", connect, "--run", KEPT)).rows("train")).hasSize(EPOCHS);

      // One run_deleted (JSON, as asked) on each rank's key; the deleted run's newest step before
      // them, plus the steps topic's 30 days, is when the line says its steps go.
      List<ConsumerRecord<String, byte[]>> steps = TopicReader.recordsToEnd(kafka.clientConfig(), topics.steps());
      Map<String, JsonNode> runDeleted = new HashMap<>();
      long newestStep = Long.MIN_VALUE;
      for (ConsumerRecord<String, byte[]> r : steps) {
        String text = new String(r.value(), StandardCharsets.UTF_8);
        if (text.startsWith("{") && JSON.readTree(text).path("type").asText().equals("run_deleted")) {
          runDeleted.put(r.key(), JSON.readTree(text));
        } else if (r.key().equals(RUN + ":0") || r.key().equals(RUN + ":1")) {
          newestStep = Math.max(newestStep, r.timestamp());
        }
      }
      assertThat(runDeleted).containsOnlyKeys(RUN + ":0", RUN + ":1");
      runDeleted.forEach((key, event) -> {
        assertThat(event.path("run").asText()).isEqualTo(RUN);
        assertThat(RUN + ":" + event.path("rank").asInt()).isEqualTo(key);
      });
      Instant until = Instant.ofEpochMilli(newestStep).plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
      assertThat(deleted.out()).contains(RUN + "'s steps stay on " + topics.steps() + " until about " + until
          + " (retention.ms=" + Duration.ofDays(30).toMillis() + ")");

      // The stream app dropped the deleted run's state on both stages (tombstones on every changelog
      // key naming it) and kept the other run's, whose id extends the deleted one's.
      await("no live changelog key of the deleted run",
          () -> liveKeysOf(ChangelogKeys.liveByKey(kafka.clientConfig(), appId), RUN).isEmpty());
      assertThat(liveKeysOf(ChangelogKeys.liveByKey(kafka.clientConfig(), appId), KEPT)).isNotEmpty();
    }
  }

  @Test
  void aRunWhoseRunStartedWasCompactedAwayIsToldOnEveryRankItsSummariesNameAndTombstonedWhereItsKeysLive(TestKafka kafka)
      throws Exception {
    Topics topics = TestTopics.create(kafka, 3);
    String run = "gone";
    // What compaction leaves of a finished run: its RunFinished, and a summary that heard ranks 0
    // and 1 of 3, written (as the stream app does, by run) to a partition its key does not hash to.
    int hashed = org.apache.kafka.common.utils.Utils.toPositive(
        org.apache.kafka.common.utils.Utils.murmur2((run + ":val:0").getBytes(StandardCharsets.UTF_8))) % 3;
    int partition = (hashed + 1) % 3;
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topics.runs(), run,
          EventSerde.runs(WireFormat.AVRO).encode(new RunEvent(run, 1000L, new RunFinished("completed", null), null)))).get();
      EpochSummary summary = EpochSummary.newBuilder().setRun(run).setStage("val").setEpoch(0).setComplete(false)
          .setRanks(2).setMissingRanks(List.of(2)).setSteps(2).setSamples(8).setMetrics(Map.of())
          .setFirstEventTime(1000L).setLastEventTime(2000L).setClosedTime(3000L).build();
      producer.send(new ProducerRecord<>(topics.epochSummaries(), partition, run + ":val:0",
          EventSerde.summaries(WireFormat.AVRO).encode(summary))).get();
      producer.send(new ProducerRecord<>(topics.steps(), run + ":1", "a step".getBytes(StandardCharsets.UTF_8))).get();
    }
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      ConfigResource steps = new ConfigResource(ConfigResource.Type.TOPIC, topics.steps());
      admin.incrementalAlterConfigs(Map.of(steps, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "-1"),
          AlterConfigOp.OpType.SET)))).all().get();
    }

    CliRun.Outcome deleted = CliRun.run("runs", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
        "--delete", run, "--yes");
    assertThat(deleted.code()).as(deleted.err()).isZero();
    assertThat(deleted.out()).contains("deleted run gone: 1 summary, 1 run record, 0 control records tombstoned")
        .contains("world size 3 (its summaries)")
        .contains("gone's steps stay on " + topics.steps() + " until you delete them (retention.ms=-1)");
    List<ConsumerRecord<String, byte[]>> summaries = TopicReader.recordsToEnd(kafka.clientConfig(), topics.epochSummaries());
    assertThat(summaries).extracting(ConsumerRecord::partition).containsOnly(partition);
    assertThat(TopicReader.liveByKey(kafka.clientConfig(), topics.epochSummaries())).containsExactly(Map.entry(run + ":val:0", false));
    assertThat(TopicReader.liveByKey(kafka.clientConfig(), topics.runs())).containsExactly(Map.entry(run, false));
    EventSerde<StepEvent> stepSerde = EventSerde.steps(WireFormat.AVRO);
    assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.steps()).stream()
        .filter(r -> r.value()[0] == (byte) 0xC3).map(r -> r.key() + " " + stepSerde.decode(r.value()).getPayload().getClass().getSimpleName()))
        .containsExactlyInAnyOrder("gone:0 RunDeleted", "gone:1 RunDeleted", "gone:2 RunDeleted");
  }

  @Test
  void onATerminalOnlyTheTypedRunIdDeletes(TestKafka kafka) throws Exception {
    // util-linux's script gives the command a pseudo-terminal, as a person's shell would.
    RequiredTool.require(Files.isExecutable(Path.of("/usr/bin/script")), "script (util-linux) is not installed: skipping the terminal test");
    Topics topics = TestTopics.create(kafka, 2);
    String run = "asked";
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
        new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topics.runs(), run, EventSerde.runs(WireFormat.AVRO).encode(
          new RunEvent(run, 1000L, RunStarted.newBuilder().setWorldSize(2).build(), null)))).get();
    }
    List<String> written = List.of(topics.runs(), topics.steps(), topics.epochSummaries(), topics.control());
    Map<TopicPartition, Long> before = endOffsets(kafka, written);
    String[] delete = {"runs", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(), "--delete", run};

    Terminal wrong = Terminal.run("asked-not\n", delete);
    assertThat(wrong.code()).as(wrong.output()).isEqualTo(1);
    assertThat(wrong.output()).contains("Delete run asked (0 summaries, world size 2)? Type the run id to confirm:")
        .contains("run 'asked' not deleted (the answer was not its id)");
    assertThat(endOffsets(kafka, written)).isEqualTo(before);

    Terminal typed = Terminal.run("asked\n", delete);
    assertThat(typed.code()).as(typed.output()).isZero();
    assertThat(typed.output()).contains("deleted run asked: 0 summaries, 1 run record, 0 control records tombstoned");
    assertThat(TopicReader.liveByKey(kafka.clientConfig(), topics.runs())).containsExactly(Map.entry(run, false));
  }

  /** An epochstream command in a child JVM on a pseudo-terminal, fed {@code input}. */
  private record Terminal(int code, String output) {
    static Terminal run(String input, String... args) throws Exception {
      StringBuilder command = new StringBuilder();
      ServiceProcess.cliCommand(args).forEach(w -> command.append(" '").append(w.replace("'", "'\\''")).append('\''));
      Process p = new ProcessBuilder("/usr/bin/script", "-qec", command.toString(), "/dev/null").redirectErrorStream(true).start();
      try (java.io.OutputStream in = p.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("the command exits").isTrue();
      return new Terminal(p.exitValue(), output);
    }
  }

  private static String runLine(String run) {
    return "{\"type\":\"run\",\"run\":\"" + run + "\",\"world_size\":" + RANKS
        + ",\"metrics\":{\"acc\":{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":3}},\"best\":{\"loss\":\"min\"},"
        // A validation loss that never improves by 10: the rule fires at epoch 1, a control record per run.
        + "\"early_stopping\":{\"monitor\":\"loss\",\"stage\":\"val\",\"patience\":1,\"min_delta\":10}}";
  }

  private static List<String> summaryKeys(String run) {
    List<String> keys = new ArrayList<>();
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      keys.add(run + ":train:" + epoch);
      keys.add(run + ":val:" + epoch);
    }
    return keys;
  }

  /** Live changelog keys naming {@code run}, not those of a run whose id extends it (KEPT extends RUN). */
  private static Set<String> liveKeysOf(Map<String, Boolean> live, String run) {
    return live.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey)
        .filter(k -> ChangelogKeys.names(run, k) && (run.equals(KEPT) || !ChangelogKeys.names(KEPT, k)))
        .collect(Collectors.toSet());
  }

  private static Map<TopicPartition, Long> endOffsets(TestKafka kafka, List<String> topics) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.clientConfig(), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = topics.stream().flatMap(t -> consumer.partitionsFor(t).stream())
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      return consumer.endOffsets(partitions);
    }
  }

  private static void await(String what, Callable<Boolean> condition) throws Exception {
    Await.until(what, Duration.ofSeconds(90), condition);
  }

  private static String[] args(String command, String[] connect, String... rest) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(List.of(connect));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }
}
