package io.epochstream.cli;

import io.epochstream.topic.TopicSetup;
import io.epochstream.topic.Topics;
import org.apache.kafka.clients.admin.Admin;

/** Start-up steps the Kafka-facing commands share. */
final class Stack {
  /** Partitions of the steps, step-metrics and summaries topics on a broker we create them on. */
  static final int PARTITIONS = 2;

  private Stack() {}

  static void createTopics(KafkaConnection kafka, Topics topics) {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      new TopicSetup(topics, PARTITIONS, (short) 1).ensure(admin);
    }
  }
}
