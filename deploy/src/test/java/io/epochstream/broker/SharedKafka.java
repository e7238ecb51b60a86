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

/**
 * JUnit 5 extension giving tests one real Kafka broker per test JVM: the embedded KRaft broker,
 * started on first use and stopped (its data deleted) when the whole run ends. Tests isolate
 * themselves with their own topic prefix and application ids. Declare an {@link EmbeddedKafka}
 * parameter to get it.
 */
public final class SharedKafka implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedKafka.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent("broker", key -> Broker.start(), Broker.class).kafka;
  }

  /** Closed by JUnit with the root context, after the last test. */
  private record Broker(EmbeddedKafka kafka, Path dir) implements AutoCloseable {
    static Broker start() {
      try {
        Path dir = Files.createTempDirectory("epochstream-test-kafka");
        return new Broker(EmbeddedKafka.start(dir), dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException {
      kafka.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
