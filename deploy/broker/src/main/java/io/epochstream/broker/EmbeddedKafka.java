package io.epochstream.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka (combined KRaft broker and controller) running in this JVM from the
 * official jars, bound to 127.0.0.1 on free ports, its data kept under a directory of the caller's
 * choice. A directory formatted once is reused as it is on the next start, so topics and their
 * records outlive the process; so do its ports (kept in {@value #PORTS_FILE} there), so clients of
 * a broker that bounces find it again at the address they know. One broker at a time runs on a
 * directory (see {@link DirectoryLock}).
 *
 * <p>One idea (a broker's life on its directory: format, ports, start, stop) whose length is the
 * KRaft configuration a combined node needs.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final String CONTROLLER = "CONTROLLER";
  private static final String BROKER = "PLAINTEXT";
  private static final String SASL = "SASL_PLAINTEXT";
  static final String PORTS_FILE = "ports.properties";

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path dataDir;
  private final SaslPlain sasl;
  private final DirectoryLock lock;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dataDir, SaslPlain sasl, DirectoryLock lock) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = dataDir;
    this.sasl = sasl;
    this.lock = lock;
  }

  /**
   * A client listener that takes SASL/PLAIN logins of these users, with ACLs enforced (Kafka's
   * StandardAuthorizer): {@code admin} is a super user, everyone else may do only what an ACL
   * grants. For testing secured deployments; real clusters keep passwords out of broker configs.
   */
  public record SaslPlain(String admin, Map<String, String> passwords) {
    /** Client properties that log in as {@code user} with {@code password}. */
    public static Map<String, Object> clientConfig(String bootstrap, String user, String password) {
      return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          "security.protocol", SASL,
          "sasl.mechanism", "PLAIN",
          "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
              + user + "\" password=\"" + password + "\";");
    }
  }

  /**
   * Formats {@code dataDir} if it is new, starts the broker and waits until it answers; fails when
   * another broker runs on the directory.
   */
  public static EmbeddedKafka start(Path dataDir) {
    return start(dataDir, null);
  }

  /** As {@link #start(Path)}; with {@code sasl}, clients must log in and ACLs apply. */
  public static EmbeddedKafka start(Path dataDir, SaslPlain sasl) {
    return underLock(dataDir, lock -> start(dataDir, singleNode(dataDir), 1, sasl, lock))
        .orElseThrow(() -> new IllegalStateException(inUse(dataDir)));
  }

  /**
   * As {@link #start(Path)}, or empty when another broker (in this process or another, starting or
   * running) holds the directory: then that one is the directory's broker.
   */
  public static Optional<EmbeddedKafka> startIfFree(Path dataDir) {
    return underLock(dataDir, lock -> start(dataDir, singleNode(dataDir), 1, null, lock));
  }

  /**
   * Node {@code nodeId} of {@code quorum}, its data under {@code dataDir}: a real multi-broker
   * cluster when each node runs in its own process. Topics default to one replica per node (at most
   * three) with two in sync, the internal ones (offsets, transactions) too. Waits until the cluster
   * answers through this node, so a majority of the quorum must be starting as well.
   */
  public static EmbeddedKafka startNode(Path dataDir, Quorum quorum, int nodeId) {
    return underLock(dataDir, lock -> start(dataDir, quorum, nodeId, null, lock))
        .orElseThrow(() -> new IllegalStateException(inUse(dataDir)));
  }

  private static String inUse(Path dataDir) {
    return "another embedded broker runs on " + dataDir + " (it holds " + dataDir.resolve(DirectoryLock.FILE) + ")";
  }

  /** The ports are read (or chosen) only under the lock: a free lock means no broker of ours binds them. */
  private static Quorum singleNode(Path dataDir) throws IOException {
    return new Quorum(null, Map.of(1, ListenerPorts.of(dataDir.toAbsolutePath())));
  }

  private interface Launch {
    EmbeddedKafka start(DirectoryLock lock) throws IOException;
  }

  private static Optional<EmbeddedKafka> underLock(Path dataDir, Launch launch) {
    try {
      DirectoryLock lock = DirectoryLock.tryAcquire(dataDir);
      if (lock == null) {
        return Optional.empty();
      }
      try {
        return Optional.of(launch.start(lock));
      } catch (IOException | RuntimeException e) {
        lock.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded Kafka broker in " + dataDir, e);
    }
  }

  private static EmbeddedKafka start(Path dataDir, Quorum quorum, int nodeId, SaslPlain sasl, DirectoryLock lock)
      throws IOException {
    Path logDir = dataDir.toAbsolutePath().resolve("kafka");
    Files.createDirectories(logDir);
    int brokerPort = quorum.nodes().get(nodeId).broker();
    Properties props = serverProperties(logDir, nodeId, quorum);
    if (sasl != null) {
      secure(props, brokerPort, sasl);
    }
    KafkaConfig config = KafkaConfig.fromProps(props, false);
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(logDir, quorum.clusterId() != null ? quorum.clusterId() : Uuid.randomUuid().toString(), nodeId);
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    String bootstrap = "127.0.0.1:" + brokerPort;
    EmbeddedKafka kafka = new EmbeddedKafka(server, bootstrap, dataDir, sasl, lock);
    try {
      kafka.awaitReady(Duration.ofSeconds(quorum.nodes().size() > 1 ? 120 : 60));
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    return kafka;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Client properties that reach this broker (as the admin user, when it is secured). */
  public Map<String, Object> clientConfig() {
    return sasl == null ? Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)
        : SaslPlain.clientConfig(bootstrapServers, sasl.admin(), sasl.passwords().get(sasl.admin()));
  }

  /** Ready means the cluster answers a metadata request, not merely that the port accepts. */
  private void awaitReady(Duration timeout) {
    try (Admin admin = Admin.create(clientConfig())) {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the embedded broker did not become ready within " + timeout + ": " + e.getMessage(), e);
    }
  }

  private static Properties serverProperties(Path logDir, int nodeId, Quorum quorum) {
    ListenerPorts ports = quorum.nodes().get(nodeId);
    int brokerPort = ports.broker();
    int controllerPort = ports.controller();
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(nodeId));
    p.put("controller.quorum.voters", quorum.voters());
    p.put("listeners", BROKER + "://127.0.0.1:" + brokerPort + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", BROKER + "://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", CONTROLLER);
    p.put("inter.broker.listener.name", BROKER);
    p.put("listener.security.protocol.map", BROKER + ":PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    // Every internal topic must accept as many replicas as there are nodes (a single node: one), or
    // clients hang with WARN logs only; with three, two must be in sync for a write to count.
    String replicas = Integer.toString(quorum.replicas());
    String minIsr = Integer.toString(Math.min(2, quorum.replicas()));
    p.put("offsets.topic.replication.factor", replicas);
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", replicas);
    p.put("transaction.state.log.min.isr", minIsr);
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", replicas);
    p.put("share.coordinator.state.topic.min.isr", minIsr);
    p.put("min.insync.replicas", minIsr);
    p.put("default.replication.factor", replicas);
    // Streams would otherwise wait 3 s before its first assignment.
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("group.streams.initial.rebalance.delay.ms", "0");
    // Topics are created on purpose, with their configs, by the Admin client.
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "1");
    return p;
  }

  /**
   * The client listener becomes SASL_PLAINTEXT with PLAIN logins; the broker talks to itself as the
   * admin user. The controller listener stays PLAINTEXT on loopback, its ANONYMOUS principal a super
   * user, because in this combined node only the broker itself connects to it.
   */
  private static void secure(Properties p, int brokerPort, SaslPlain sasl) {
    p.put("listeners", SASL + "://127.0.0.1:" + brokerPort + "," + p.getProperty("listeners").split(",")[1]);
    p.put("advertised.listeners", SASL + "://127.0.0.1:" + brokerPort);
    p.put("inter.broker.listener.name", SASL);
    p.put("listener.security.protocol.map", SASL + ":SASL_PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
    p.put("sasl.enabled.mechanisms", "PLAIN");
    p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"")
        .append(sasl.admin()).append("\" password=\"").append(sasl.passwords().get(sasl.admin())).append('"');
    sasl.passwords().forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
    p.put("listener.name." + SASL.toLowerCase(java.util.Locale.ROOT) + ".plain.sasl.jaas.config", jaas.append(';').toString());
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.put("super.users", "User:" + sasl.admin() + ";User:ANONYMOUS");
  }

  private static void format(Path logDir, String clusterId, int nodeId) {
    try {
      new Formatter()
          .setClusterId(clusterId)
          .setNodeId(nodeId)
          .addDirectory(logDir.toString())
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName(CONTROLLER)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setUnstableFeatureVersionsEnabled(false)
          .setIgnoreFormatted(true)
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      lock.close();
    }
  }
}
