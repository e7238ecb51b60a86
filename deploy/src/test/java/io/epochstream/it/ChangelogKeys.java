package io.epochstream.it;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * What a stream app's state stores hold once their changelogs are compacted: for each key across
 * its {@code <application id>-*-changelog} topics, whether its latest committed value is live
 * (non-null) or a tombstone. A key live in any store counts as live.
 */
public final class ChangelogKeys {
  private ChangelogKeys() {}

  public static Map<String, Boolean> liveByKey(Map<String, Object> clientConfig, String applicationId) {
    Set<String> topics;
    try (Admin admin = Admin.create(clientConfig)) {
      topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot list the topics: " + e, e);
    }
    Map<String, Boolean> live = new HashMap<>();
    topics.stream().filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-changelog")).forEach(t ->
        TopicReader.liveByKey(clientConfig, t).forEach((key, isLive) -> live.merge(key, isLive, Boolean::logicalOr)));
    return live;
  }
}
