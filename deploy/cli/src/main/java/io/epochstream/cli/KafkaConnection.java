package io.epochstream.cli;

import java.util.Map;

/**
 * The Kafka a command talks to: client properties, and what this process holds of an embedded
 * broker (one it runs, or its use of one another process runs), released with the connection.
 */
public record KafkaConnection(Map<String, Object> clientConfig, Held held, String description) implements AutoCloseable {

  /** What a connection releases when it closes. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** A Kafka this process neither runs nor shares. */
  KafkaConnection(Map<String, Object> clientConfig, String description) {
    this(clientConfig, null, description);
  }

  @Override
  public void close() {
    if (held != null) {
      held.close();
    }
  }
}
