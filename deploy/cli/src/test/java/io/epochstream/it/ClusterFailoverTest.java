package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.Quorum;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real three-node KRaft cluster — Kafka's own server code, each node its own process — with
 * topics at replication factor 3 and two in-sync replicas required; two stream-app instances and
 * four DJL trainer ranks, every one a process. Mid-run one broker is SIGKILLed while the trainers
 * produce (in the other case, one stream instance while it folds), once the first summary is out:
 * every epoch of the run still closes once, complete, with every sample and the values the naive
 * reference computes from the steps the ranks published — nothing lost, nothing counted twice. The
 * killed broker is restarted after its case, and each case first awaits a whole cluster, so the
 * cases do not depend on their order.
 */
class ClusterFailoverTest {
  private static final int RANKS = 4;
  /** Epochs each rank trains (each closes a train and a val summary). */
  private static final int EPOCHS = 30;
  @TempDir static Path dir;
  private static Quorum quorum;
  private static final java.util.TreeMap<Integer, ServiceProcess> nodes = new java.util.TreeMap<>();

  @BeforeAll
  static void startCluster() throws Exception {
    quorum = Quorum.onFreePorts(3);
    for (int id : quorum.nodes().keySet()) {
      nodes.put(id, startNode(id));
    }
    for (ServiceProcess node : nodes.values()) {
      node.await("node \\d ready", Duration.ofSeconds(180));
    }
  }

  private static ServiceProcess startNode(int id) {
    return ServiceProcess.startMain(ClusterNode.class.getName(), dir.resolve("node-" + id).toString(), quorum.encode(), Integer.toString(id));
  }

  @AfterAll
  static void stopCluster() throws InterruptedException {
    for (ServiceProcess node : nodes.values()) {
      node.close();
    }
  }

  /** Each case starts on a whole cluster: all three brokers registered, whatever ran before. */
  @BeforeEach
  void awaitHealthyCluster() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", quorum.bootstrapServers()))) {
      Await.until("three brokers in the cluster", Duration.ofSeconds(120),
          () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size(), n -> n == 3);
    }
  }

  private enum Fault { BROKER, STREAM_INSTANCE }

  /** The topic once every partition has all three replicas in sync (a new topic's metadata spreads in a moment). */
  private static TopicDescription awaitInSync(Admin admin, String topic) throws Exception {
    return Await.until("every partition of " + topic + " with 3 in-sync replicas", Duration.ofSeconds(60), () -> {
      try {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
          return null;
        }
        throw e;
      }
    }, d -> d != null && d.partitions().stream().allMatch(p -> p.replicas().size() == 3 && p.isr().size() == 3));
  }

  @Test
  void everySummaryIsAsSentWhenABrokerDiesMidRun() throws Exception {
    runWith(Fault.BROKER);
  }

  @Test
  void everySummaryIsAsSentWhenAStreamInstanceDiesMidRun() throws Exception {
    runWith(Fault.STREAM_INSTANCE);
  }

  private void runWith(Fault fault) throws Exception {
    Map<String, Object> client = Map.of("bootstrap.servers", quorum.bootstrapServers());
    Topics topics = TestTopics.fresh();
    try (Admin admin = Admin.create(client)) {
      new TopicSetup(topics, 4, (short) 3).ensure(admin);
      for (String topic : List.of(topics.runs(), topics.steps(), topics.stepMetrics(), topics.partials(), topics.epochSummaries(),
          topics.control(), topics.deadLetters())) {
        awaitInSync(admin, topic);
      }
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
      assertThat(admin.describeConfigs(List.of(broker)).all().get().get(broker).get("min.insync.replicas").value()).isEqualTo("2");
    }
    // A SIGKILLed instance holds its tasks until its session expires (static membership): short here.
    Path clientConfig = dir.resolve(fault + ".properties");
    Files.writeString(clientConfig, "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n");
    String appId = "cluster-" + UUID.randomUUID();
    List<ServiceProcess> streams = new ArrayList<>();
    List<ServiceProcess> trainers = new ArrayList<>();
    Integer killed = null;
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
      // The fault lands once the first epoch closed — summaries flow — and before the last one did.
      TopicReader.awaitAtLeast(client, topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer(), 1, Duration.ofSeconds(300));
      int before = TopicReader.recordsToEnd(client, topics.epochSummaries()).size();
      if (fault == Fault.BROKER) {
        killed = nodes.keySet().stream().max(Integer::compare).orElseThrow();
        nodes.get(killed).kill(); // SIGKILL: no controlled shutdown, leaderships move on timeouts
      } else {
        streams.get(0).kill();
      }
      assertThat(before).as("summaries out when the fault landed: the run was still being folded").isLessThan(2 * EPOCHS);
      for (ServiceProcess t : trainers) {
        assertThat(t.waitFor(Duration.ofSeconds(300))).as(t.output()).isZero();
      }

      // Every epoch closes once, complete, with the samples the data split gives and the values the
      // naive reference computes from the steps the ranks published; eval agrees.
      StreamDrain.await(client, appId, topics, Duration.ofSeconds(180));
      List<StepEvent> steps = TopicReader.readAll(client, topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
      List<EpochSummary> summaries = TopicReader.readAll(client, topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer());
      // 2048 samples, round(20 %) = 410 held out: 1638 train, shared by the four ranks.
      assertThat(summaries).hasSize(2 * EPOCHS).allSatisfy(s -> {
        assertThat(s.getRanks()).isEqualTo(RANKS);
        assertThat(s.getSamples()).isEqualTo(s.getStage().equals("train") ? 1638 : 410);
      });
      SummaryView.assertSameEpochs(SentEvents.expected(steps), SentEvents.views(summaries));
      assertThat(summaries.stream().map(JsonLinesCodec::encode).sorted().toList()).as("eval, a second check")
          .isEqualTo(OfflineSummaries.ofEvents(steps).stream().sorted().toList());
    } finally {
      if (killed != null) {
        nodes.put(killed, startNode(killed)); // back on its data: the next case finds a whole cluster
        nodes.get(killed).await("node \\d ready", Duration.ofSeconds(180));
      }
      for (ServiceProcess p : trainers) {
        p.close();
      }
      for (ServiceProcess s : streams) {
        s.close();
      }
    }
  }
}
