package io.epochstream.it;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * What a stream app's changelogs hold, as compaction will leave them: for each key of each
 * {@code <application.id>-*-changelog} topic, whether its latest committed value is live (a value)
 * or a tombstone.
 */
final class ChangelogKeys {
  private ChangelogKeys() {}

  /** Key: {@code "<store>/<record key>"}; value: whether the key's latest value is live. */
  static Map<String, Boolean> liveByKey(Map<String, Object> clientConfig, String applicationId) throws Exception {
    List<String> changelogs;
    try (Admin admin = Admin.create(clientConfig)) {
      changelogs = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-changelog")).sorted().toList();
    }
    Map<String, Boolean> live = new LinkedHashMap<>();
    for (String topic : changelogs) {
      String store = topic.substring(applicationId.length() + 1, topic.length() - "-changelog".length());
      TopicReader.liveByKey(clientConfig, topic).forEach((key, isLive) -> live.put(store + "/" + key, isLive));
    }
    return live;
  }

  /**
   * The keys that name {@code run}: the run id itself or a key built from it ({@code run:…}), as
   * docs/operations.md's store table states the layout — in a store key a run id's ':' is written "%3A"
   * (and '%' "%25"), so the run id ends at the first ':'.
   */
  static boolean names(String run, String storeAndKey) {
    String key = storeAndKey.substring(storeAndKey.indexOf('/') + 1);
    String escaped = run.replace("%", "%25").replace(":", "%3A");
    return key.equals(escaped) || key.startsWith(escaped + ":");
  }
}
