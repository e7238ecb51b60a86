package io.epochstream.cli;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.topic.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import io.epochstream.admin.TopicSetup;
import picocli.CommandLine.Option;

/**
 * The options every Kafka-facing command shares. Without {@code --bootstrap-servers} a command uses
 * the embedded broker of {@code --data-dir}: the one a running {@code epochstream broker} (or any
 * other command) serves there, or else one it starts itself on that directory's data.
 */
public final class KafkaOptions {
  /** How long a command waits for a broker another process is starting on the data directory. */
  private static final Duration STARTING_BROKER_WAIT = Duration.ofSeconds(120);

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
              + topicPrefix + "*: grant it ACLs for them (see docs/operations.md, Secured Kafka): " + c.getMessage(), e);
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
      return new KafkaConnection(config, bootstrapServers);
    }
    return embedded(config);
  }

  /**
   * The broker of {@link #dataDir}: the one running there (this command then counts as its user),
   * else one started here and advertised in the broker file. The directory's lock keeps a second
   * broker off it: when another process holds it, that process is starting or stopping the broker,
   * and this command waits for the one or the other.
   */
  private KafkaConnection embedded(Map<String, Object> config) {
    long deadline = System.nanoTime() + STARTING_BROKER_WAIT.toNanos();
    boolean told = false;
    while (true) {
      KafkaConnection shared = shared(config);
      if (shared != null) {
        return shared;
      }
      Optional<EmbeddedKafka> started = EmbeddedKafka.startIfFree(dataDir);
      if (started.isPresent()) {
        OwnedBroker broker = OwnedBroker.advertise(started.get(), dataDir);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return new KafkaConnection(config, broker, broker.bootstrapServers() + " (embedded, data in " + dataDir + ")");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("another process holds the broker of " + dataDir + " but has not said where it listens ("
            + dataDir.resolve(BrokerFile.NAME) + ") within " + STARTING_BROKER_WAIT.toSeconds() + " s; stop it, or pass --bootstrap-servers");
      }
      if (!told) {
        System.err.println("epochstream: another process is starting or stopping the broker in " + dataDir + "; waiting for it");
        told = true;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the broker in " + dataDir, e);
      }
    }
  }

  /** The broker another process runs on the data directory, used until the connection closes; or null. */
  private KafkaConnection shared(Map<String, Object> config) {
    BrokerUsers.Use use;
    try {
      use = BrokerUsers.use(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the broker in " + dataDir + ": " + e.getMessage(), e);
    }
    if (use == null) {
      return null;
    }
    String running = BrokerFile.running(dataDir);
    if (running == null) {
      use.close();
      return null;
    }
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, running);
    return new KafkaConnection(config, use, running + " (epochstream broker in " + dataDir + ")");
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
