package io.epochstream.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * JUnit 5 extension giving tests one real Kafka broker per test JVM, started on first use and
 * stopped when the whole run ends: Testcontainers' Kafka (the official {@code apache/kafka} image)
 * where a Docker engine answers, the embedded KRaft broker otherwise — so the same tests run on a
 * laptop with Docker and on machines without it. {@code -Depochstream.test.kafka=embedded} or
 * {@code =container} forces one. Tests isolate themselves with their own topic prefix and
 * application ids. Declare a {@link TestKafka} parameter to get it.
 */
public final class SharedKafka implements ParameterResolver {
  static final String IMAGE = "apache/kafka:4.1.1";
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedKafka.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("broker", key -> start(), Broker.class).kafka();
  }

  private static Broker start() {
    String choice = System.getProperty("epochstream.test.kafka", "auto");
    boolean container = switch (choice) {
      case "container" -> true;
      case "embedded" -> false;
      case "auto" -> dockerConfigured() && DockerClientFactory.instance().isDockerAvailable();
      default -> throw new IllegalArgumentException("epochstream.test.kafka must be auto, embedded or container, not " + choice);
    };
    return container ? Container.start() : Embedded.start();
  }

  /** Whether asking Testcontainers is worth it (it logs an ERROR block when no engine exists). */
  private static boolean dockerConfigured() {
    return System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"))
        || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"))
        || Files.exists(Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"));
  }

  private record Address(String bootstrapServers, String description) implements TestKafka {}

  private interface Broker extends AutoCloseable {
    TestKafka kafka();
  }

  /** Closed by JUnit with the root context, after the last test. */
  private record Embedded(EmbeddedKafka broker, Path dir) implements Broker {
    static Embedded start() {
      try {
        Path dir = Files.createTempDirectory("epochstream-test-kafka");
        return new Embedded(EmbeddedKafka.start(dir), dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public TestKafka kafka() {
      return new Address(broker.bootstrapServers(), "embedded KRaft broker at " + broker.bootstrapServers());
    }

    @Override
    public void close() throws IOException {
      broker.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private record Container(KafkaContainer container) implements Broker {
    @SuppressWarnings("resource") // closed with the root context
    static Container start() {
      KafkaContainer kafka = new KafkaContainer(IMAGE)
          // The single-node settings the embedded broker sets too; without them transactions
          // (exactly-once Streams) and share groups wait for replicas that never come.
          .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
          .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
          .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
          .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1")
          .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
          .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
      kafka.start();
      return new Container(kafka);
    }

    @Override
    public TestKafka kafka() {
      return new Address(container.getBootstrapServers(), "Testcontainers " + IMAGE + " at " + container.getBootstrapServers());
    }

    @Override
    public void close() {
      container.stop();
    }
  }
}
