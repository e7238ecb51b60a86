package io.epochstream.cli;

import io.epochstream.broker.EmbeddedKafka;
import java.util.Map;

/**
 * The Kafka a command talks to: client properties, and the embedded broker when this process
 * started one (closed with the connection).
 */
public record KafkaConnection(Map<String, Object> clientConfig, EmbeddedKafka ownedBroker, String description)
    implements AutoCloseable {

  @Override
  public void close() {
    if (ownedBroker != null) {
      ownedBroker.close();
    }
  }
}
