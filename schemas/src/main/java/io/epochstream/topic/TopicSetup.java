package io.epochstream.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the product's topics with the Admin client when they are missing, with the cleanup policy
 * each one needs: compacted for state that consumers rebuild from (runs, summaries, control), long
 * retention for the steps that replay reads.
 */
public final class TopicSetup {
  private final Topics topics;
  private final int partitions;
  private final short replicationFactor;

  public TopicSetup(Topics topics, int partitions, short replicationFactor) {
    this.topics = topics;
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
  }

  public List<NewTopic> newTopics() {
    Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    Map<String, String> thirtyDays = Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.DAYS.toMillis(30)));
    Map<String, String> sevenDays = Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.DAYS.toMillis(7)));
    List<NewTopic> list = new ArrayList<>();
    list.add(new NewTopic(topics.runs(), 1, replicationFactor).configs(compacted));
    list.add(new NewTopic(topics.steps(), partitions, replicationFactor).configs(thirtyDays));
    list.add(new NewTopic(topics.stepMetrics(), partitions, replicationFactor).configs(sevenDays));
    list.add(new NewTopic(topics.partials(), partitions, replicationFactor).configs(sevenDays));
    list.add(new NewTopic(topics.epochSummaries(), partitions, replicationFactor).configs(compacted));
    list.add(new NewTopic(topics.control(), 1, replicationFactor).configs(compacted));
    list.add(new NewTopic(topics.deadLetters(), 1, replicationFactor).configs(thirtyDays));
    return list;
  }

  /** Creates what is missing; existing topics are left as they are. */
  public void ensure(Admin admin) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = newTopics().stream().filter(t -> !existing.contains(t.name())).toList();
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot create the epochstream topics: " + cause.getMessage(), cause);
    }
  }
}
