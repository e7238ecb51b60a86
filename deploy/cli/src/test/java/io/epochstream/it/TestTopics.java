package io.epochstream.it;

import io.epochstream.broker.TestKafka;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;

/** Tests share one broker: each gets its own topics under a fresh prefix, created up front. */
final class TestTopics {
  private TestTopics() {}

  static Topics create(TestKafka kafka, int partitions) {
    Topics topics = fresh();
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      new TopicSetup(topics, partitions, (short) 1).ensure(admin);
    }
    return topics;
  }

  /** A prefix no other test uses, topics not yet created. */
  static Topics fresh() {
    return new Topics("t" + UUID.randomUUID().toString().substring(0, 8) + ".");
  }
}
