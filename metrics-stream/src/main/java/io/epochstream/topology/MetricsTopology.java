package io.epochstream.topology;

import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RankPartial;
import io.epochstream.serde.AvroSerde;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.RecordLimits;
import io.epochstream.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The two-stage topology:
 * <pre>
 * steps (run:rank) → RankFoldProcessor → partials (run:stage:epoch) → EpochMergeProcessor → epoch-summaries
 *                          ├──→ step-metrics (run:rank)
 *                          └──────────────→ dead-letters ←──────────────────┤
 *                                                                            └──→ control (EarlyStop)
 * runs, epoch-summaries, step-metrics, control → decoded only (what cannot be → dead-letters)
 * </pre>
 * Each stage keeps a run's state for the run retention after its last event, then deletes it.
 */
public final class MetricsTopology {
  private MetricsTopology() {}

  public static Topology build(Topics topics, Duration epochTimeout, Properties streamsConfig) {
    return build(topics, epochTimeout, streamsConfig, EpochCloseListener.NONE);
  }

  public static Topology build(Topics topics, Duration epochTimeout, Properties streamsConfig, EpochCloseListener listener) {
    return build(topics, epochTimeout, streamsConfig, listener, RecordLimits.MAX_STATE_BYTES);
  }

  /** {@code maxStateBytes}: the largest rank state folded; a step that would grow past it is refused. */
  public static Topology build(Topics topics, Duration epochTimeout, Properties streamsConfig, EpochCloseListener listener,
      long maxStateBytes) {
    return build(topics, epochTimeout, streamsConfig, listener, maxStateBytes, MetricsStreamApp.DEFAULT_RUN_RETENTION);
  }

  /** {@code runRetention}: how long a run's state is kept after its last event ({@code stream --run-retention}). */
  public static Topology build(Topics topics, Duration epochTimeout, Properties streamsConfig, EpochCloseListener listener,
      long maxStateBytes, Duration runRetention) {
    Topology t = new Topology(new TopologyConfig(new StreamsConfig(streamsConfig)));
    t.addSource("steps", Serdes.String().deserializer(), EventSerde.steps(WireFormat.of(streamsConfig)).deserializer(), topics.steps());
    t.addProcessor("fold", () -> new RankFoldProcessor(maxStateBytes, runRetention, WireFormat.of(streamsConfig)), "steps");
    StreamStores.STAGE_ONE.forEach(store -> t.addStateStore(store.builder(), "fold"));
    t.addSink(RankFoldProcessor.PARTIALS, topics.partials(), Serdes.String().serializer(),
        erase(AvroSerde.of(RankPartial.class).serializer()), new ByRun(), "fold");
    t.addSink(RankFoldProcessor.STEP_METRICS, topics.stepMetrics(), Serdes.String().serializer(),
        erase(EventSerde.stepMetrics(WireFormat.of(streamsConfig)).serializer()), "fold");
    t.addSink(RankFoldProcessor.DEAD_LETTERS, topics.deadLetters(), Serdes.String().serializer(), erase(new ByteArraySerializer()), "fold");

    t.addSource("partials-in", Serdes.String().deserializer(), AvroSerde.of(RankPartial.class).deserializer(), topics.partials());
    t.addProcessor("merge", () -> new EpochMergeProcessor(epochTimeout, listener, runRetention), "partials-in");
    StreamStores.STAGE_TWO.forEach(store -> t.addStateStore(store.builder(), "merge"));
    t.addSink(EpochMergeProcessor.CONTROL, topics.control(), Serdes.String().serializer(),
        erase(EventSerde.control(WireFormat.of(streamsConfig)).serializer()), "merge");
    t.addSink(EpochMergeProcessor.SUMMARIES, topics.epochSummaries(), Serdes.String().serializer(),
        erase(EventSerde.summaries(WireFormat.of(streamsConfig)).serializer()), new ByRun(), "merge");
    t.addSink(EpochMergeProcessor.DEAD_LETTERS, topics.deadLetters(), Serdes.String().serializer(), erase(new ByteArraySerializer()), "merge");
    checkDecodable(t, topics, WireFormat.of(streamsConfig));
    return t;
  }

  /**
   * The other topics the product reads, decoded here and nothing more: what cannot be decoded is
   * dead-lettered by the deserialization handler, with its reason, topic and offset. The stream app
   * is their one dead-letterer — one consumer group reads each record once, under exactly-once —
   * so a bad record is dead-lettered once, however many loggers, pages, trainers or replays read the
   * topic (they pass over it and say so).
   */
  private static void checkDecodable(Topology t, Topics topics, WireFormat format) {
    t.addSource("runs-check", Serdes.String().deserializer(), EventSerde.runs(format).deserializer(), topics.runs());
    t.addSource("summaries-check", Serdes.String().deserializer(), EventSerde.summaries(format).deserializer(), topics.epochSummaries());
    t.addSource("step-metrics-check", Serdes.String().deserializer(), EventSerde.stepMetrics(format).deserializer(), topics.stepMetrics());
    t.addSource("control-check", Serdes.String().deserializer(), EventSerde.control(format).deserializer(), topics.control());
  }

  /** The processors forward several value types, one per child; each sink knows its own. */
  @SuppressWarnings("unchecked")
  private static Serializer<Object> erase(Serializer<?> serializer) {
    return (Serializer<Object>) serializer;
  }

  /**
   * All partials and summaries of a run go to one partition: stage 2 sees a run's epochs in one
   * task, and a logger reads them in the order they closed; keys stay per epoch, so compaction
   * keeps one summary per epoch.
   */
  static final class ByRun implements StreamPartitioner<String, Object> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, Object value, int numPartitions) {
      String run = value instanceof EpochSummary s ? s.getRun() : ((RankPartial) value).getRun();
      int hash = Utils.toPositive(Utils.murmur2(run.getBytes(StandardCharsets.UTF_8)));
      return Optional.of(Set.of(hash % numPartitions));
    }
  }
}
