package io.epochstream.deletion;

import io.epochstream.event.Keys;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunDeleted;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Deleting a run on purpose ({@code runs --delete}): finds what the compacted topics still hold of
 * it, tells the stream app to drop its state with a {@link RunDeleted} on every rank's steps key,
 * and writes a tombstone for each of its live keys. The steps themselves stay until the topic's
 * retention ({@link StepsExpiry}).
 */
public final class RunDeletion {
  /** Why the stream app is dropping the run: what its dead letters of later events will say. */
  static final String REASON = "runs --delete";

  private final Map<String, Object> clientConfig;
  private final Topics topics;

  public RunDeletion(Map<String, Object> clientConfig, Topics topics) {
    this.clientConfig = clientConfig;
    this.topics = topics;
  }

  /**
   * A key whose latest value is live, on the partition it lives on: a tombstone must go there
   * (summaries are partitioned by run, not by their key's hash).
   */
  public record Live(String topic, int partition, String key) {}

  /**
   * What the topics hold of a run. {@code worldSize} comes from its RunStarted, or, once compaction
   * has left only its RunFinished, from its summaries (ranks heard plus ranks missing).
   */
  public record Found(String run, int worldSize, String worldSizeFrom, List<Live> runRecords, List<Live> summaries,
      List<Live> control) {}

  /** What was written: where each rank's RunDeleted landed on the steps topic (partition to its lowest offset). */
  public record Deleted(Found found, Map<Integer, Long> deletedAt) {}

  /** The run as the compacted topics hold it; empty when the runs topic has no live record of it. */
  public Optional<Found> find(String run) {
    EventSerde<RunEvent> runSerde = EventSerde.runs(WireFormat.AVRO);
    int[] started = {0};
    Map<Live, byte[]> runs = latest(topics.runs(), run::equals, r -> {
      RunEvent event = decode(runSerde, r.value());
      if (event != null && event.getPayload() instanceof RunStarted s) {
        started[0] = s.getWorldSize();
      }
    });
    if (runs.isEmpty()) {
      return Optional.empty();
    }
    Map<Live, byte[]> summaries = latest(topics.epochSummaries(), key -> isEpochKeyOf(run, key), r -> { });
    Map<Live, byte[]> control = latest(topics.control(), run::equals, r -> { });
    int worldSize = started[0];
    String from = "its RunStarted";
    if (worldSize < 1) {
      worldSize = worldSizeOfSummaries(summaries.values());
      from = worldSize > 0 ? "its summaries" : "unknown: rank 0 only";
      worldSize = Math.max(worldSize, 1);
    }
    return Optional.of(new Found(run, worldSize, from, List.copyOf(runs.keySet()), List.copyOf(summaries.keySet()),
        List.copyOf(control.keySet())));
  }

  /**
   * Sends RunDeleted to each rank's key first, so that the stream app stops writing the run before
   * its records are tombstoned, then the tombstones; one idempotent producer, flushed.
   */
  public Deleted delete(Found found, WireFormat format) {
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    EventSerde<StepEvent> steps = EventSerde.steps(format);
    long now = System.currentTimeMillis();
    List<Future<RecordMetadata>> deletes = new ArrayList<>();
    List<Future<RecordMetadata>> tombstones = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int rank = 0; rank < found.worldSize(); rank++) {
        StepEvent deleted = new StepEvent(found.run(), "", 0, rank, now, new RunDeleted(REASON));
        deletes.add(producer.send(new ProducerRecord<>(topics.steps(), Keys.step(found.run(), rank), steps.encode(deleted))));
      }
      for (List<Live> keys : List.of(found.runRecords(), found.summaries(), found.control())) {
        for (Live live : keys) {
          tombstones.add(producer.send(new ProducerRecord<>(live.topic(), live.partition(), live.key(), null)));
        }
      }
      producer.flush();
      Map<Integer, Long> deletedAt = new TreeMap<>();
      for (Future<RecordMetadata> f : deletes) {
        RecordMetadata m = written(f);
        deletedAt.merge(m.partition(), m.offset(), Math::min);
      }
      tombstones.forEach(RunDeletion::written);
      return new Deleted(found, deletedAt);
    }
  }

  /**
   * Whether {@code key} is an epoch-summaries key of {@code run} ({@code run:stage:epoch}), and not
   * one of a run whose id merely starts with {@code run + ":"}: run ids may contain ':'.
   */
  static boolean isEpochKeyOf(String run, String key) {
    return Keys.isEpochOf(run, key);
  }

  /** The latest value of each wanted key per partition, the keys whose latest value is a tombstone left out. */
  private Map<Live, byte[]> latest(String topic, Predicate<String> wanted,
      java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
    Map<Live, byte[]> latest = new LinkedHashMap<>();
    try (TopicScan scan = new TopicScan(clientConfig, topic)) {
      scan.toEnd(r -> {
        if (wanted.test(r.key())) {
          Live live = new Live(topic, r.partition(), r.key());
          latest.remove(live);
          if (r.value() != null) {
            latest.put(live, r.value());
            each.accept(r);
          }
        }
      });
    }
    return latest;
  }

  private static int worldSizeOfSummaries(Iterable<byte[]> values) {
    EventSerde<EpochSummary> serde = EventSerde.summaries(WireFormat.AVRO);
    int worldSize = 0;
    for (byte[] value : values) {
      EpochSummary s = decode(serde, value);
      if (s != null) {
        worldSize = Math.max(worldSize, s.getRanks() + s.getMissingRanks().size());
      }
    }
    return worldSize;
  }

  /** A value no reader understands (a foreign writer's) is skipped, never fatal. */
  private static <T extends org.apache.avro.specific.SpecificRecord> T decode(EventSerde<T> serde, byte[] value) {
    try {
      return serde.decode(value);
    } catch (SerializationException | org.apache.avro.AvroRuntimeException e) {
      return null;
    }
  }

  private static RecordMetadata written(Future<RecordMetadata> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while deleting", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a record of the deletion was not written: " + e.getCause().getMessage(), e.getCause());
    }
  }
}
