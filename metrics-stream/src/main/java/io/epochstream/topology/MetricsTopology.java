package io.epochstream.topology;

import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.state.Stores;

/** steps → fold per (run, stage, epoch, rank) with the run's metrics → epoch-summaries (Processor API, stores). */
public final class MetricsTopology {
  private MetricsTopology() {}

  /**
   * All summaries of a run go to one partition, so a logger reads a run's epochs in the order
   * they closed; keys stay per epoch, so compaction keeps one summary per epoch.
   */
  static final class ByRun implements StreamPartitioner<String, EpochSummary> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, EpochSummary value, int numPartitions) {
      int hash = Utils.toPositive(Utils.murmur2(value.getRun().getBytes(StandardCharsets.UTF_8)));
      return Optional.of(Set.of(hash % numPartitions));
    }
  }

  public static Topology build(Topics topics, Properties streamsConfig) {
    Topology topology = new Topology(new TopologyConfig(new StreamsConfig(streamsConfig)));
    topology.addSource("steps", Serdes.String().deserializer(),
        AvroSerde.of(StepEvent.class).deserializer(), topics.steps());
    topology.addProcessor("fold", EpochFoldProcessor::new, "steps");
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(EpochFoldProcessor.STORE), Serdes.String(), Serdes.ByteArray()), "fold");
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(EpochFoldProcessor.RUNS_STORE), Serdes.String(), Serdes.ByteArray()), "fold");
    topology.addSink("summaries", topics.epochSummaries(), Serdes.String().serializer(),
        AvroSerde.of(EpochSummary.class).serializer(), new ByRun(), "fold");
    return topology;
  }
}
