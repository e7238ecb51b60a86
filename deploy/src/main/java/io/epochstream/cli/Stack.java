package io.epochstream.cli;

import io.epochstream.topic.TopicSetup;
import io.epochstream.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthorizationException;

/** Start-up steps the Kafka-facing commands share. */
final class Stack {
  /** Partitions of the steps, step-metrics and summaries topics on a broker we create them on. */
  static final int PARTITIONS = 2;

  private Stack() {}

  static void createTopics(KafkaConnection kafka, Topics topics) {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      new TopicSetup(topics, PARTITIONS, (short) 1).ensure(admin);
    } catch (RuntimeException e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof AuthorizationException) {
          throw new IllegalStateException("the principal of --client-config may not describe or create the topics "
              + topics.prefix() + "*: grant it ACLs for them (see README, secured Kafka): " + c.getMessage(), e);
        }
      }
      throw e;
    }
  }
}
