package io.epochstream.admin;

import io.epochstream.topic.RecordLimits;
import io.epochstream.topic.Topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
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
    list.add(topic(topics.runs(), 1, compacted));
    list.add(topic(topics.steps(), partitions, thirtyDays));
    list.add(topic(topics.stepMetrics(), partitions, sevenDays));
    list.add(topic(topics.partials(), partitions, sevenDays));
    list.add(topic(topics.epochSummaries(), partitions, compacted));
    list.add(topic(topics.control(), 1, compacted));
    list.add(topic(topics.deadLetters(), 1, thirtyDays));
    return list;
  }

  /** Every topic may carry a batch or a state up to the product's record limit. */
  private NewTopic topic(String name, int partitions, Map<String, String> policy) {
    Map<String, String> configs = new java.util.HashMap<>(policy);
    configs.putAll(RecordLimits.topicConfig());
    return new NewTopic(name, partitions, replicationFactor).configs(configs);
  }

  /**
   * Creates what is missing and validates what exists: a topic that should be compacted and is not,
   * or one that must keep every record (steps, dead letters) and is compacted, is refused with a
   * message that says how to fix it — a compacted steps topic would silently lose replay data.
   */
  public void ensure(Admin admin) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> wanted = newTopics();
      List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
      List<NewTopic> present = new ArrayList<>(wanted.stream().filter(t -> existing.contains(t.name())).toList());
      if (!missing.isEmpty()) {
        Map<String, org.apache.kafka.common.KafkaFuture<Void>> created = admin.createTopics(missing).values();
        for (NewTopic t : missing) {
          try {
            created.get(t.name()).get(30, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw e;
            }
            present.add(t); // listed too late, or created meanwhile by someone else: check it too
          }
        }
      }
      if (!present.isEmpty()) {
        validate(admin, present);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot create the epochstream topics: " + cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
    }
  }

  private static void validate(Admin admin, List<NewTopic> present) throws ExecutionException, InterruptedException, TimeoutException {
    List<ConfigResource> resources = present.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList();
    Map<ConfigResource, Config> configs = null;
    for (int attempt = 0; configs == null; attempt++) {
      try {
        configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // A topic created a moment ago may not have reached the broker's metadata yet.
        if (attempt == 50 || !(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
    List<String> problems = new ArrayList<>();
    for (NewTopic t : present) {
      Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
      String actual = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
      boolean wantCompact = TopicConfig.CLEANUP_POLICY_COMPACT.equals(t.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG));
      boolean isCompact = actual.contains(TopicConfig.CLEANUP_POLICY_COMPACT);
      if (wantCompact != isCompact) {
        problems.add(t.name() + " has cleanup.policy=" + actual + " but needs "
            + (wantCompact ? "compact (one value per key is its meaning)" : "delete (compaction would drop records)"));
      }
    }
    raiseRecordLimit(admin, present, configs, problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("existing topics are misconfigured: " + String.join("; ", problems)
          + " — fix with kafka-configs --alter, or use another --topic-prefix");
    }
  }

  /**
   * Raises the record limit of a stream app's existing changelog topics ({@code <application
   * id>-*-changelog}): Kafka Streams creates them with the store's config but never changes one that
   * exists, and under exactly-once a record the broker refuses aborts the transaction again and
   * again. Best effort: a failure is returned as a one-line warning, null when all is well.
   */
  public static String raiseChangelogRecordLimit(Admin admin, String applicationId) {
    try {
      List<NewTopic> changelogs = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(n -> n.startsWith(applicationId + "-") && n.endsWith("-changelog"))
          .map(n -> new NewTopic(n, java.util.Optional.empty(), java.util.Optional.empty())).toList();
      if (changelogs.isEmpty()) {
        return null;
      }
      List<ConfigResource> resources = changelogs.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList();
      Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
      List<String> problems = new ArrayList<>();
      raiseRecordLimit(admin, changelogs, configs, problems);
      return problems.isEmpty() ? null : String.join("; ", problems);
    } catch (ExecutionException | TimeoutException e) {
      return "could not check the changelog topics' max.message.bytes: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while checking the changelog topics";
    }
  }

  /**
   * Topics made before the record limit existed (or by hand) keep Kafka's 1 MiB default: raise it,
   * since a large state would otherwise be refused by the broker in the middle of an epoch.
   */
  private static void raiseRecordLimit(Admin admin, List<NewTopic> present, Map<ConfigResource, Config> configs,
      List<String> problems) throws InterruptedException, TimeoutException {
    String wanted = Integer.toString(RecordLimits.MAX_RECORD_BYTES);
    Map<ConfigResource, java.util.Collection<org.apache.kafka.clients.admin.AlterConfigOp>> alter = new java.util.HashMap<>();
    for (NewTopic t : present) {
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t.name());
      org.apache.kafka.clients.admin.ConfigEntry entry = configs.get(r).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (entry == null || entry.value() == null || Long.parseLong(entry.value()) < RecordLimits.MAX_RECORD_BYTES) {
        alter.put(r, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
            new org.apache.kafka.clients.admin.ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, wanted),
            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)));
      }
    }
    if (alter.isEmpty()) {
      return;
    }
    try {
      admin.incrementalAlterConfigs(alter).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      problems.add("max.message.bytes of " + alter.keySet().stream().map(ConfigResource::name).toList()
          + " is below " + wanted + " and could not be raised (" + e.getCause().getMessage() + ")");
    }
  }
}
