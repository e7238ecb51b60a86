package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.Quorum;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.AvroSerde;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real three-node KRaft cluster — Kafka's own server code, each node its own process — with
 * topics at replication factor 3 and two in-sync replicas required; two stream-app instances and
 * four DJL trainer ranks, every one a process. Mid-run one broker is SIGKILLed while the trainers
 * produce (in the other case, one stream instance while it folds): every epoch of the run still
 * closes once, complete, equal to {@code eval} over the same step events — nothing lost, nothing
 * counted twice.
 */
class ClusterFailoverTest {
  private static final int RANKS = 4;
  /** Epochs each rank trains (each closes a train and a val summary). */
  private static final int EPOCHS = 30;
  @TempDir static Path dir;
  private static Quorum quorum;
  private static final List<ServiceProcess> nodes = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    quorum = Quorum.onFreePorts(3);
    for (int id : quorum.nodes().keySet()) {
      nodes.add(ServiceProcess.startMain(ClusterNode.class.getName(), dir.resolve("node-" + id).toString(), quorum.encode(),
          Integer.toString(id)));
    }
    for (ServiceProcess node : nodes) {
      node.await("node \\d ready", Duration.ofSeconds(180));
    }
  }

  @AfterAll
  static void stopCluster() throws InterruptedException {
    for (ServiceProcess node : nodes) {
      node.close();
    }
  }

  private enum Fault { BROKER, STREAM_INSTANCE }

  /** The topic as the cluster describes it, once the broker asked has the new topic's metadata (it spreads in a moment). */
  private static TopicDescription describeOnceKnown(Admin admin, String topic) throws Exception {
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
    while (true) {
      try {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
            || java.time.Instant.now().isAfter(deadline)) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  @Test
  void summariesEqualEvalWhenABrokerDiesMidEpoch() throws Exception {
    runWith(Fault.BROKER);
  }

  @Test
  void summariesEqualEvalWhenAStreamInstanceDiesMidEpoch() throws Exception {
    runWith(Fault.STREAM_INSTANCE);
  }

  private void runWith(Fault fault) throws Exception {
    Map<String, Object> client = Map.of("bootstrap.servers", quorum.bootstrapServers());
    Topics topics = TestTopics.fresh();
    try (Admin admin = Admin.create(client)) {
      new TopicSetup(topics, 4, (short) 3).ensure(admin);
      TopicDescription steps = describeOnceKnown(admin, topics.steps());
      assertThat(steps.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
      assertThat(admin.describeConfigs(List.of(broker)).all().get().get(broker).get("min.insync.replicas").value()).isEqualTo("2");
    }
    // A SIGKILLed instance holds its tasks until its session expires (static membership): short here.
    Path clientConfig = dir.resolve(fault + ".properties");
    Files.writeString(clientConfig, "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n");
    String appId = "cluster-" + UUID.randomUUID();
    List<ServiceProcess> streams = new ArrayList<>();
    List<ServiceProcess> trainers = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        streams.add(ServiceProcess.start("stream", "--bootstrap-servers", quorum.bootstrapServers(), "--client-config", clientConfig.toString(),
            "--topic-prefix", topics.prefix(), "--replication-factor", "3", "--application-id", appId,
            "--state-dir", dir.resolve(appId + "-" + i).toString(), "--no-http"));
      }
      for (ServiceProcess s : streams) {
        s.await("running on", Duration.ofSeconds(180));
      }

      String run = "cluster-" + fault.name().toLowerCase();
      // Four ranks as an operator runs them, each a process, for a bounded run; the fault is
      // triggered while they are still producing (broker) or while the stream apps are still folding
      // (stream instance), so it lands mid-epoch whatever the machine's speed.
      for (int rank = 0; rank < RANKS; rank++) {
        trainers.add(ServiceProcess.start("train", "--bootstrap-servers", quorum.bootstrapServers(), "--topic-prefix", topics.prefix(),
            "--run", run, "--rank", Integer.toString(rank), "--world-size", Integer.toString(RANKS), "--epochs", Integer.toString(EPOCHS),
            "--samples", "2048", "--batch-size", "32", "--replication-factor", "3", "--no-http"));
      }
      if (fault == Fault.BROKER) {
        TopicReader.awaitRecords(client, topics.steps(), RANKS * EPOCHS * 4, Duration.ofSeconds(300));
        nodes.get(nodes.size() - 1).kill(); // SIGKILL: no controlled shutdown, leaderships move on timeouts
      } else {
        TopicReader.read(client, topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer(), 1, Duration.ofSeconds(300));
        streams.get(0).kill();
      }
      for (ServiceProcess t : trainers) {
        assertThat(t.waitFor(Duration.ofSeconds(300))).as(t.output()).isZero();
      }

      // Every epoch of every rank closes once, complete, equal to eval over the same step events.
      List<StepEvent> steps = TopicReader.readAll(client, topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
      List<String> expected = OfflineSummaries.ofEvents(steps);
      assertThat(expected).hasSize(2 * EPOCHS);
      TopicReader.read(client, topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer(), expected.size(),
          Duration.ofSeconds(120));
      List<EpochSummary> summaries = TopicReader.readAll(client, topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer());
      assertThat(summaries).hasSize(2 * EPOCHS).allSatisfy(s -> {
        assertThat(s.getComplete()).isTrue();
        assertThat(s.getRanks()).isEqualTo(RANKS);
      });
      assertThat(summaries.stream().map(JsonLinesCodec::encode).sorted().toList()).isEqualTo(expected.stream().sorted().toList());
    } finally {
      for (ServiceProcess p : trainers) {
        p.close();
      }
      for (ServiceProcess s : streams) {
        s.close();
      }
    }
  }
}
