package io.epochstream.broker;

import java.util.Map;

/** The Kafka an integration test talks to, wherever it runs (a container or the embedded broker). */
public interface TestKafka {
  String bootstrapServers();

  /** Client properties: the bootstrap servers, nothing else. */
  default Map<String, Object> clientConfig() {
    return Map.of("bootstrap.servers", bootstrapServers());
  }

  /** Which broker this is, for logs. */
  String description();
}
