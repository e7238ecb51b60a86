package io.epochstream.deletion;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * When a deleted run's steps leave the steps topic: the broker drops a segment once its newest
 * record is older than {@code retention.ms}, so the run's newest record there plus the retention is
 * the earliest they can go (later when other runs' records share its segment: "about").
 *
 * @param newestRecord the timestamp of the run's newest record on its steps partitions, empty when none is left
 */
public record StepsExpiry(String topic, long retentionMs, long retentionBytes, OptionalLong newestRecord) {
  /** Chunks read backwards from a partition's end: the run's newest record is usually near it. */
  private static final int FIRST_CHUNK = 1_000;
  private static final int LARGEST_CHUNK = 1_000_000;

  /**
   * Reads the topic's retention and the newest record of {@code keys} on the partitions of
   * {@code before} (partition to the offset below which to look: the deletion's own records).
   */
  public static StepsExpiry of(Map<String, Object> clientConfig, String topic, Set<String> keys, Map<Integer, Long> before) {
    long newest = Long.MIN_VALUE;
    try (TopicScan scan = new TopicScan(clientConfig, topic)) {
      for (Map.Entry<Integer, Long> e : before.entrySet()) {
        newest = Math.max(newest, newestOn(scan, new TopicPartition(topic, e.getKey()), e.getValue(), keys));
      }
    }
    try (Admin admin = Admin.create(clientConfig)) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      return new StepsExpiry(topic, longValue(config, TopicConfig.RETENTION_MS_CONFIG),
          longValue(config, TopicConfig.RETENTION_BYTES_CONFIG),
          newest == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(newest));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading " + topic + "'s retention", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read " + topic + "'s retention: " + e, e);
    }
  }

  /** The line {@code runs --delete} prints about the steps it leaves. */
  public String message(String run) {
    String bytes = retentionBytes >= 0 ? ", or sooner once a partition outgrows retention.bytes=" + retentionBytes : "";
    String stay;
    if (newestRecord.isEmpty()) {
      stay = "no steps of " + run + " are left on " + topic + " (retention.ms=" + retentionMs + ")";
    } else if (retentionMs < 0) {
      stay = run + "'s steps stay on " + topic + " until you delete them (retention.ms=-1" + bytes + ")";
    } else {
      Instant until = Instant.ofEpochMilli(newestRecord.getAsLong() + retentionMs).truncatedTo(ChronoUnit.SECONDS);
      stay = run + "'s steps stay on " + topic + " until about " + until + " (retention.ms=" + retentionMs + bytes + ")";
    }
    return stay + "; loggers' files are yours and are left alone";
  }

  /** The newest timestamp of the keys' records below {@code end}, reading backwards in growing chunks. */
  private static long newestOn(TopicScan scan, TopicPartition partition, long end, Set<String> keys) {
    long first = scan.beginning(partition);
    long[] newest = {Long.MIN_VALUE};
    long chunk = FIRST_CHUNK;
    for (long to = end; to > first && newest[0] == Long.MIN_VALUE; to -= chunk, chunk = Math.min(chunk * 4, LARGEST_CHUNK)) {
      scan.range(partition, Math.max(first, to - chunk), to, r -> {
        if (keys.contains(r.key())) {
          newest[0] = Math.max(newest[0], r.timestamp());
        }
      });
    }
    return newest[0];
  }

  private static long longValue(Config config, String name) {
    ConfigEntry entry = config.get(name);
    return entry == null || entry.value() == null ? -1 : Long.parseLong(entry.value());
  }
}
