package io.epochstream.replay;

import io.epochstream.event.Stage;
import io.epochstream.fold.RunConfigs;
import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOffsets;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Recomputes past epochs from the retained step events: it seeks to each epoch's offset ranges
 * (recorded in its summary) instead of scanning, recomputes with the run's original metric
 * configuration — reproducing the live summary value for value — or with a new one, and refuses
 * with a clear message when the events it needs are gone. Without a summary (an epoch that never
 * closed, or a summary compacted away) it scans the steps topic for the run.
 */
public final class ReplayService {
  // Built once: a serde computes its schema fingerprints when made, which per record was most of
  // replay's CPU.
  private final EventSerde<StepEvent> stepSerde = EventSerde.steps(WireFormat.AVRO); // reads JSON values too
  private final EventSerde<EpochSummary> summarySerde = EventSerde.summaries(WireFormat.AVRO);
  private final EventSerde<RunEvent> runSerde = EventSerde.runs(WireFormat.AVRO);
  private final Map<String, Object> clientConfig;
  private final Topics topics;

  public ReplayService(Map<String, Object> clientConfig, Topics topics) {
    this.clientConfig = new HashMap<>(clientConfig);
    this.topics = topics;
  }

  /** What to replay: a run, optionally one stage and an inclusive epoch range. */
  public record Selection(String run, String stage, int fromEpoch, int toEpoch) {
    boolean matches(String s, int epoch) {
      return (stage == null || stage.equals(s)) && epoch >= fromEpoch && epoch <= toEpoch;
    }
  }

  /**
   * The selected epochs, each recomputed, in (stage, epoch) order. {@code metrics} null means the
   * run's original configuration.
   */
  public List<EpochSummary> replay(Selection sel, MetricConfig metrics) {
    RunStarted run = runConfig(sel.run());
    MetricConfig config = metrics != null ? metrics : RunConfigs.metricConfig(run);
    List<EpochSummary> live = new ArrayList<>();
    read(topics.epochSummaries(), (r, value) -> {
      EpochSummary s = decode(summarySerde, value);
      if (s != null && s.getRun().equals(sel.run()) && sel.matches(s.getStage(), s.getEpoch())) {
        live.add(s);
      }
    });
    live.sort(Comparator.comparingInt((EpochSummary s) -> Stage.order(s.getStage())).thenComparingInt(EpochSummary::getEpoch));
    List<EpochSummary> out = new ArrayList<>();
    if (live.isEmpty()) {
      return scan(sel, run, config, metrics);
    }
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      for (EpochSummary s : live) {
        if (s.getOffsets().isEmpty() && s.getSteps() > 0) {
          throw new StepsGoneException("epoch " + s.getEpoch() + " of stage " + s.getStage()
              + " has no recorded offsets (summary from an older version); nothing to seek to");
        }
        EpochRecompute epoch = new EpochRecompute(config);
        // One pass per partition, in offset order: ranks sharing a partition have overlapping
        // ranges, and reading range after range would fold a rank's later steps before its
        // earlier ones — a different order of float additions than live (last bits of loss).
        Map<Integer, List<StepOffsets>> byPartition = new TreeMap<>();
        s.getOffsets().forEach(o -> byPartition.computeIfAbsent(o.getPartition(), p -> new ArrayList<>()).add(o));
        byPartition.forEach((partition, ranges) -> {
          long first = ranges.stream().mapToLong(StepOffsets::getFirstOffset).min().orElseThrow();
          long last = ranges.stream().mapToLong(StepOffsets::getLastOffset).max().orElseThrow();
          readRange(consumer, new TopicPartition(topics.steps(), partition), first, last, s, (event, offset) -> {
            boolean recorded = ranges.stream().anyMatch(o -> offset >= o.getFirstOffset() && offset <= o.getLastOffset());
            if (recorded && event.getRun().equals(s.getRun()) && event.getStage().equals(s.getStage()) && event.getEpoch() == s.getEpoch()) {
              epoch.add(refuseNewMetricsOnState(event, metrics));
            }
          });
        });
        out.add(epoch.summary(s.getRun(), s.getStage(), s.getEpoch(), run.getWorldSize(), s.getOffsets(), System.currentTimeMillis()));
      }
    }
    return out;
  }

  /** One epoch of a stage, in the order summaries are replayed: by stage (train first), then epoch. */
  private record StageEpoch(String stage, int epoch) implements Comparable<StageEpoch> {
    @Override
    public int compareTo(StageEpoch o) {
      return Comparator.comparingInt((StageEpoch k) -> Stage.order(k.stage())).thenComparing(StageEpoch::stage)
          .thenComparingInt(StageEpoch::epoch).compare(this, o);
    }
  }

  /** No summary to seek by: read the whole steps topic for the run. */
  private List<EpochSummary> scan(Selection sel, RunStarted run, MetricConfig config, MetricConfig metrics) {
    Map<StageEpoch, EpochRecompute> epochs = new TreeMap<>();
    Map<StageEpoch, List<StepOffsets>> where = new HashMap<>();
    read(topics.steps(), (r, value) -> {
      StepEvent e = decode(stepSerde, value);
      if (e == null || !e.getRun().equals(sel.run()) || !(e.getPayload() instanceof StepOutput || e.getPayload() instanceof EpochEnd) || !sel.matches(e.getStage(), e.getEpoch())) {
        return;
      }
      StageEpoch key = new StageEpoch(e.getStage(), e.getEpoch());
      epochs.computeIfAbsent(key, k -> new EpochRecompute(config)).add(refuseNewMetricsOnState(e, metrics));
      List<StepOffsets> offsets = where.computeIfAbsent(key, k -> new ArrayList<>());
      StepOffsets last = offsets.stream().filter(o -> o.getPartition() == r.partition()).findFirst().orElse(null);
      if (last == null) {
        offsets.add(new StepOffsets(r.partition(), r.offset(), r.offset()));
      } else {
        last.setLastOffset(r.offset());
      }
    });
    if (epochs.isEmpty()) {
      throw new StepsGoneException("no step events of run " + sel.run() + " match the selection on " + topics.steps());
    }
    List<EpochSummary> out = new ArrayList<>();
    epochs.forEach((key, epoch) -> out.add(epoch.summary(sel.run(), key.stage(), key.epoch(), run.getWorldSize(), where.get(key),
        System.currentTimeMillis())));
    return out;
  }

  /**
   * A run published with {@code --publish state} kept the states of the metrics it announced, not
   * the predictions: they can be merged again, but no other metric can be computed from them.
   */
  private static StepEvent refuseNewMetricsOnState(StepEvent e, MetricConfig newMetrics) {
    if (newMetrics != null && e.getPayload() instanceof StepOutput s && s.getState() != null) {
      throw new ReplayRequestException("run " + e.getRun() + " kept no predictions (published with --publish state: its steps"
          + " carry the announced metrics' state), so replay --metrics cannot compute new metrics; replay without --metrics"
          + " recomputes the announced ones");
    }
    return e;
  }

  /** The run's RunStarted from the compacted runs topic. */
  public RunStarted runConfig(String run) {
    RunStarted[] found = new RunStarted[1];
    read(topics.runs(), (r, value) -> {
      RunEvent e = decode(runSerde, value);
      if (e != null && e.getRun().equals(run) && e.getPayload() instanceof RunStarted s) {
        found[0] = s;
      }
    });
    if (found[0] == null) {
      throw new ReplayRequestException("unknown run '" + run + "': no RunStarted on " + topics.runs());
    }
    return found[0];
  }

  /** Feeds the step events at offsets first..last of one partition to {@code sink} with their offsets, in order. */
  private void readRange(KafkaConsumer<String, byte[]> consumer, TopicPartition tp, long first, long last, EpochSummary s,
      java.util.function.ObjLongConsumer<StepEvent> sink) {
    consumer.assign(List.of(tp));
    long start = consumer.beginningOffsets(List.of(tp)).get(tp);
    if (start > first) {
      throw new StepsGoneException(String.format("epoch %d of stage %s (run %s) needs %s offsets %d..%d, but the log now starts at %d"
          + " (%s): those step events are gone, so the epoch cannot be replayed", s.getEpoch(), s.getStage(), s.getRun(), tp,
          first, last, start, retention(tp.topic())));
    }
    // Asked once, not per poll: the log only grows, so an end short of the range now stays short.
    long end = consumer.endOffsets(List.of(tp)).get(tp);
    if (end <= last) {
      throw new StepsGoneException(tp + " ends before offset " + last + " that epoch " + s.getEpoch() + " of stage "
          + s.getStage() + " needs");
    }
    consumer.seek(tp, first);
    while (consumer.position(tp) <= last) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.offset() > last) {
          break;
        }
        StepEvent e = decode(stepSerde, r.value());
        if (e != null) {
          sink.accept(e, r.offset());
        }
      }
    }
  }

  private String retention(String topic) {
    try (Admin admin = Admin.create(clientConfig)) {
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      var config = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
      return "retention.ms=" + config.get(TopicConfig.RETENTION_MS_CONFIG).value()
          + ", retention.bytes=" + config.get(TopicConfig.RETENTION_BYTES_CONFIG).value();
    } catch (Exception e) {
      return "retention unknown: " + e.getMessage();
    }
  }

  /** Reads a whole topic from the beginning to its current end. */
  private void read(String topic, BiConsumer<ConsumerRecord<String, byte[]>, byte[]> sink) {
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && r.value() != null) {
            sink.accept(r, r.value());
          }
        }
      }
    }
  }

  private KafkaConsumer<String, byte[]> consumer() {
    Map<String, Object> props = new LinkedHashMap<>(clientConfig);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    // Step events are ~10 KB: the default 1 MB per partition fetch is a round trip per 100 steps.
    props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    // A bounded read: at the end of a transactional topic the last fetch only steps over the
    // commit marker, and should not wait the default 500 ms for records that will not come.
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Undecodable records were dead letters live: replay passes over them the same way. */
  private static <T extends org.apache.avro.specific.SpecificRecord> T decode(EventSerde<T> serde, byte[] value) {
    try {
      return serde.decode(value);
    } catch (SerializationException e) {
      return null;
    }
  }

}
