package io.epochstream.cli;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.topic.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthorizationException;
import io.epochstream.topic.TopicSetup;
import picocli.CommandLine.Option;

/**
 * The options every Kafka-facing command shares. Without {@code --bootstrap-servers} a command uses
 * the embedded broker of {@code --data-dir}: the one a running {@code epochstream broker} serves
 * there, or else one it starts itself on that directory's data.
 */
public final class KafkaOptions {
  static final String BROKER_FILE = "broker.properties";

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
      description = "Kafka to use. Default: the embedded broker of --data-dir.")
  String bootstrapServers;

  @Option(names = "--client-config", paramLabel = "FILE",
      description = "Kafka client properties (SASL, SSL, ...) for every client this command creates.")
  Path clientConfigFile;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".epochstream",
      description = "Embedded broker and local state directory (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = Topics.DEFAULT_PREFIX,
      description = "Prefix of every topic name (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "2",
      description = "Partitions of the steps, step-metrics and summaries topics when this command creates them (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "1",
      description = "Replicas of each topic this command creates; 3 on a production cluster (default: ${DEFAULT-VALUE}).")
  short replicationFactor;

  Topics topics() {
    return new Topics(topicPrefix);
  }

  /**
   * Creates the topics that are missing, checks the policies of those that exist. A login without
   * the ACLs to do so gets a message naming the topics to grant, not Kafka's bare "Authorization failed".
   */
  void createTopics(KafkaConnection connection) {
    try (Admin admin = Admin.create(connection.clientConfig())) {
      new TopicSetup(topics(), partitions, replicationFactor).ensure(admin);
    } catch (RuntimeException e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof AuthorizationException) {
          throw new IllegalStateException("the principal of --client-config may not describe or create the topics "
              + topicPrefix + "*: grant it ACLs for them (see README, secured Kafka): " + c.getMessage(), e);
        }
      }
      throw e;
    }
  }

  KafkaConnection connect() {
    Map<String, Object> config = new HashMap<>();
    if (clientConfigFile != null) {
      config.putAll(loadProperties(clientConfigFile));
    }
    if (bootstrapServers != null) {
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      KafkaPreflight.check(config);
      return new KafkaConnection(config, null, bootstrapServers);
    }
    Path brokerFile = dataDir.resolve(BROKER_FILE);
    if (Files.exists(brokerFile)) {
      Map<String, Object> file = loadProperties(brokerFile);
      String running = String.valueOf(file.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
      if (listening(file, running) || answers(running)) {
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, running);
        return new KafkaConnection(config, null, running + " (epochstream broker in " + dataDir + ")");
      }
    }
    EmbeddedKafka broker = EmbeddedKafka.start(dataDir);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    return new KafkaConnection(config, broker, broker.bootstrapServers() + " (embedded, data in " + dataDir + ")");
  }

  /**
   * The broker process of the file is alive and its port accepts connections: it is there, even if
   * a loaded machine keeps it from answering a metadata request within {@link #answers}' 2 s (then
   * starting a second broker on its directory would fail on the directory's lock).
   */
  private static boolean listening(Map<String, Object> brokerFile, String bootstrap) {
    try {
      long pid = Long.parseLong(String.valueOf(brokerFile.get("pid")));
      if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return false;
      }
      int colon = bootstrap.lastIndexOf(':');
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1))), 2000);
        return true;
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** A broker file can outlive a killed broker: only a broker that answers counts. */
  private static boolean answers(String bootstrap) {
    Map<String, Object> props = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 1000,
        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 1000);
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).clusterId().get();
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  static Map<String, Object> loadProperties(Path file) {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Map<String, Object> map = new HashMap<>();
    props.forEach((k, v) -> map.put(k.toString(), v));
    return map;
  }
}
