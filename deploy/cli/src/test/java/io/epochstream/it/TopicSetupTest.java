package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafka.class)
class TopicSetupTest {
  @Test
  void createsEveryTopicWithItsPolicyAndIsIdempotent(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.fresh();
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      TopicSetup setup = new TopicSetup(topics, 3, (short) 1);
      setup.ensure(admin);
      setup.ensure(admin); // a second run finds everything in order
      var desc = describeWhenVisible(admin, List.of(topics.steps(), topics.epochSummaries()));
      assertThat(desc.get(topics.steps()).partitions()).hasSize(3);
      var resource = new ConfigResource(ConfigResource.Type.TOPIC, topics.epochSummaries());
      assertThat(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
          .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
    }
  }

  /** A topic just created may take a moment to reach the broker's metadata cache. */
  private static Map<String, org.apache.kafka.clients.admin.TopicDescription> describeWhenVisible(Admin admin, List<String> names)
      throws Exception {
    return Await.until("the topics in the broker's metadata", Duration.ofSeconds(30), () -> {
      try {
        return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw e;
        }
        return null;
      }
    }, java.util.Objects::nonNull);
  }

  @Test
  void aCompactedStepsTopicIsRefusedWithHowToFixIt(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.fresh();
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      admin.createTopics(List.of(new NewTopic(topics.steps(), 1, (short) 1)
          .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "compact")))).all().get(30, TimeUnit.SECONDS);
      assertThatThrownBy(() -> new TopicSetup(topics, 1, (short) 1).ensure(admin))
          .hasMessageContaining(topics.steps() + " has cleanup.policy=compact but needs delete")
          .hasMessageContaining("--topic-prefix");
    }
  }
}
