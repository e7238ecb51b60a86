package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.event.ParamValues;
import io.epochstream.event.Tensors;
import io.epochstream.publish.StepPublisher;
import io.epochstream.replay.ReplayService;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.schema.RankPartial;
import io.epochstream.serde.AvroSerde;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The stream app's throughput against a plain consumer of the same step events, and the latency
 * from the last rank's EpochEnd to the summary, on the embedded broker in this JVM.
 *
 * <p>Usage: {@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*" io.epochstream.bench.StreamBenchmark
 * [steps=2000] [ranks=4] [partitions=4] [latencyEpochs=30]}. Events: B=256 samples, C=10
 * probabilities (float32) per step; metrics accuracy, macro F1, confusion matrix, binned AUROC (100
 * thresholds) and loss.
 *
 * <p>Long but one idea: the throughput and latency rows share one broker, one topic set and one
 * batch of events, so that their ratios are taken on the same records.
 */
public final class StreamBenchmark {
  static final int B = 256;
  static final int C = 10;

  /** One measurement: seconds of each phase over the same events, latencies in ms, sorted. */
  public record Result(long events, long samples, long bytes, double produceSeconds, double rawSeconds, double streamSeconds,
      double replaySeconds, List<Double> latencies, long peakHeapBytes, long peakHeapAfterGcBytes, long stateBytes,
      double streamCpuSeconds) {
    public double produceRecordsPerSecond() {
      return events / produceSeconds;
    }

    public double consumeRecordsPerSecond() {
      return events / rawSeconds;
    }

    public double produceMegabytesPerSecond() {
      return bytes / produceSeconds / 1e6;
    }

    public double consumeMegabytesPerSecond() {
      return bytes / rawSeconds / 1e6;
    }

    public double rawSamplesPerSecond() {
      return samples / rawSeconds;
    }

    public double streamSamplesPerSecond() {
      return samples / streamSeconds;
    }

    public double replaySamplesPerSecond() {
      return samples / replaySeconds;
    }

    public double latency(double p) {
      return latencies.isEmpty() ? Double.NaN : pct(latencies, p);
    }
  }

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int ranks = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int latencyEpochs = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    Result r = run(steps, ranks, partitions, latencyEpochs, 1);
    System.out.printf(Locale.ROOT, "events: %d step events (%d samples), %d ranks, %d partitions%n", r.events(), r.samples(), ranks, partitions);
    System.out.printf(Locale.ROOT, "produce: %.2f s (%.0f events/s)%n", r.produceSeconds(), r.events() / r.produceSeconds());
    System.out.printf(Locale.ROOT, "raw consumer: %.2f s, %.0f events/s, %.0f samples/s%n", r.rawSeconds(), r.events() / r.rawSeconds(), r.rawSamplesPerSecond());
    System.out.printf(Locale.ROOT, "stream app (RUNNING to summary): %.2f s, %.0f events/s, %.0f samples/s, ratio to raw %.2f%n",
        r.streamSeconds(), r.events() / r.streamSeconds(), r.streamSamplesPerSecond(), r.rawSeconds() / r.streamSeconds());
    System.out.printf(Locale.ROOT, "replay: %.2f s, %.0f samples/s, ratio to raw %.2f%n", r.replaySeconds(), r.replaySamplesPerSecond(),
        r.rawSeconds() / r.replaySeconds());
    System.out.printf(Locale.ROOT, "epoch-close latency over %d epochs: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n", r.latencies().size(),
        r.latency(0.5), r.latency(0.99), r.latency(1.0));
  }

  /** Small epochs, each timed from its last EpochEnd's acknowledgement to its summary; sorted, in ms. */
  private static List<Double> latencies(EmbeddedKafka kafka, Topics topics, int ranks, Map<String, MetricSpec> metrics, int epochs)
      throws Exception {
    List<Double> latencies = new ArrayList<>();
    try (SummaryWatcher watcher = new SummaryWatcher(kafka, topics)) {
      for (int e = 0; e < epochs; e++) {
        String run = "lat" + e;
        publish(kafka, topics, run, ranks, metrics, 0, 4, watcher);
        latencies.add(watcher.millisToSummary(run));
      }
      List<Double> closing = new ArrayList<>(watcher.untilClosed());
      Collections.sort(closing);
      if (!closing.isEmpty()) {
        System.err.printf(Locale.ROOT, "  of which until stage 2 closed the epoch: p50 %.0f ms, max %.0f ms%n",
            pct(closing, 0.5), closing.get(closing.size() - 1));
      }
    }
    Collections.sort(latencies);
    return latencies;
  }

  /** Everything on a fresh embedded broker; {@code streamThreads} Kafka Streams threads. */
  public static Result run(int steps, int ranks, int partitions, int latencyEpochs, int streamThreads) throws Exception {
    Path dir = BenchDirectory.create("epochstream-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      Topics topics = new Topics("bench.");
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicSetup(topics, partitions, (short) 1).ensure(admin);
      }
      Map<String, MetricSpec> metrics = Map.of(
          "acc", spec("accuracy", Map.of()),
          "f1", spec("f1_score", Map.of("average", "macro")),
          "cm", spec("confusion_matrix", Map.of()),
          "auroc", spec("auroc", Map.of("thresholds", 100)));
      // One epoch of `steps` steps spread over the ranks.
      long produceStart = System.nanoTime();
      publish(kafka, topics, "tput", ranks, metrics, 0, steps / ranks);
      double produceSeconds = (System.nanoTime() - produceStart) / 1e9;

      long[] bytes = new long[1];
      double rawSeconds = consumeAll(kafka, topics.steps(), bytes);
      long events = (long) ranks * (steps / ranks + 2); // steps + RunStarted + EpochEnd per rank

      Map<String, Object> appConfig = appConfig(kafka, streamThreads);
      try (MetricsStreamApp app = new MetricsStreamApp(appConfig, topics, "bench-app", dir.resolve("state"));
           HeapPeak heap = new HeapPeak()) {
        app.start(Duration.ofSeconds(120)); // assigned and restored: the clock starts at work
        long t0 = System.nanoTime();
        heap.reset();
        ThreadCpu appCpu = new ThreadCpu(name -> name.contains("bench-app")); // CPU time: stable where wall time is not
        awaitSummaries(kafka, topics, "tput", 1);
        double streamSeconds = (System.nanoTime() - t0) / 1e9;
        double streamCpuSeconds = appCpu.seconds();
        long peakHeap = heap.peak();
        long peakAfterGc = heap.peakAfterGc();

        List<Double> latencies = latencies(kafka, topics, ranks, metrics, latencyEpochs);
        long samples = (long) (steps / ranks) * ranks * B;
        long replayStart = System.nanoTime();
        List<EpochSummary> replayed = new ReplayService(kafka.clientConfig(), topics)
            .replay(new ReplayService.Selection("tput", null, 0, Integer.MAX_VALUE), null);
        double replaySeconds = (System.nanoTime() - replayStart) / 1e9;
        if (replayed.size() != 1 || replayed.get(0).getSamples() != samples) {
          throw new IllegalStateException("replay did not reproduce the epoch");
        }
        return new Result(events, samples, bytes[0], produceSeconds, rawSeconds, streamSeconds, replaySeconds, latencies, peakHeap, peakAfterGc,
            largestPartialState(kafka, topics), streamCpuSeconds);
      }
    }
  }

  /**
   * The largest rank state stage 1 sent (a partial carries the rank's state at its epoch end, its
   * largest): every epoch has one, while the state store's changelog misses an epoch that opened
   * and closed between two commits.
   */
  private static long largestPartialState(EmbeddedKafka kafka, Topics topics) {
    AvroSerde<RankPartial> serde = AvroSerde.of(RankPartial.class);
    long largest = 0;
    try (CommittedRecords partials = new CommittedRecords(kafka, topics.partials())) {
      for (byte[] value : partials.await(1, Duration.ofMinutes(1))) {
        largest = Math.max(largest, serde.decode(value).getState().remaining());
      }
    }
    return largest;
  }

  /** The app's client config: {@code streamThreads}, and the overrides the bench.* system properties ask for. */
  private static Map<String, Object> appConfig(EmbeddedKafka kafka, int streamThreads) {
    Map<String, Object> appConfig = new HashMap<>(kafka.clientConfig());
    appConfig.put("num.stream.threads", streamThreads);
    String commitMs = System.getProperty("bench.commit.ms");
    if (commitMs != null) {
      appConfig.put("commit.interval.ms", Integer.parseInt(commitMs));
    }
    String fetchWait = System.getProperty("bench.fetch.wait.ms");
    if (fetchWait != null) {
      appConfig.put("fetch.max.wait.ms", Integer.parseInt(fetchWait));
    }
    String linger = System.getProperty("bench.linger.ms");
    if (linger != null) {
      appConfig.put("linger.ms", Integer.parseInt(linger));
    }
    return appConfig;
  }

  private static MetricSpec spec(String metric, Map<String, ?> extra) {
    Map<String, Object> p = new HashMap<>(Map.of("task", "multiclass", "num_classes", C));
    p.putAll(extra);
    return ParamValues.spec(metric, p);
  }

  private static void publish(EmbeddedKafka kafka, Topics topics, String run, int ranks, Map<String, MetricSpec> metrics, int epoch, int stepsPerRank) {
    publish(kafka, topics, run, ranks, metrics, epoch, stepsPerRank, null);
  }

  private static void publish(EmbeddedKafka kafka, Topics topics, String run, int ranks, Map<String, MetricSpec> metrics,
      int epoch, int stepsPerRank, SummaryWatcher watcher) {
    SplittableRandom random = new SplittableRandom(run.hashCode());
    float[] probs = new float[B * C];
    int[] target = new int[B];
    List<StepPublisher> publishers = new ArrayList<>();
    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
    config.put("linger.ms", 20);
    config.put("batch.size", 1 << 20);
    for (int r = 0; r < ranks; r++) {
      StepPublisher p = new StepPublisher(config, topics, run, r);
      p.runStarted(ranks, metrics, Map.of(), Map.of());
      publishers.add(p);
    }
    for (int s = 0; s < stepsPerRank; s++) {
      for (int r = 0; r < ranks; r++) {
        for (int i = 0; i < probs.length; i++) {
          probs[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < B; i++) {
          target[i] = random.nextInt(C);
        }
        publishers.get(r).step("val", epoch, s, B, random.nextDouble(), Tensors.ofFloats(probs, B, C), Tensors.ofInts(target, B), Map.of());
      }
    }
    publishers.forEach(StepPublisher::flush);
    for (StepPublisher p : publishers) {
      p.epochEnd("val", epoch, stepsPerRank);
    }
    publishers.forEach(StepPublisher::flush);
    if (watcher != null) {
      watcher.markEnd(run);
    }
    publishers.forEach(StepPublisher::close);
  }

  /** Seconds to read every record of {@code topic}; their value bytes go to {@code bytesOut[0]}. */
  private static double consumeAll(EmbeddedKafka kafka, String topic, long[] bytesOut) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long t0 = System.nanoTime();
      long bytes = 0;
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (var r : records) {
          bytes += r.value().length; // touch every value, as a real consumer would
        }
      }
      if (bytes == 0) {
        throw new IllegalStateException("nothing consumed");
      }
      bytesOut[0] = bytes;
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  private static void awaitSummaries(EmbeddedKafka kafka, Topics topics, String run, int count) {
    try (SummaryWatcher w = new SummaryWatcher(kafka, topics)) {
      w.await(run, count);
    }
  }

  static double pct(List<Double> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  /** Reads summaries as they are committed and times them against the moment an epoch was ended. */
  private static final class SummaryWatcher implements AutoCloseable {
    private final KafkaConsumer<String, EpochSummary> consumer;
    private final Map<String, Long> ended = new HashMap<>();
    private final Map<String, Integer> seen = new HashMap<>();
    private final Map<String, Long> arrived = new HashMap<>();
    private final Map<String, Long> endedWall = new HashMap<>();
    private final List<Double> toClose = new ArrayList<>();

    SummaryWatcher(EmbeddedKafka kafka, Topics topics) {
      Map<String, Object> props = new HashMap<>(kafka.clientConfig());
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      // The clock must measure the app, not this consumer's long poll.
      props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
      consumer = new KafkaConsumer<>(props, new StringDeserializer(), EventSerde.summaries(WireFormat.AVRO).deserializer());
      String topic = topics.epochSummaries();
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
    }

    void markEnd(String run) {
      ended.put(run, System.nanoTime());
      endedWall.put(run, System.currentTimeMillis());
    }

    /** Of the latency, the part until stage 2 closed the epoch (its closed_time, wall clock). */
    List<Double> untilClosed() {
      return toClose;
    }

    void await(String run, int count) {
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (seen.getOrDefault(run, 0) < count) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no summary for " + run);
        }
        for (var r : consumer.poll(Duration.ofMillis(5))) {
          seen.merge(r.value().getRun(), 1, Integer::sum);
          arrived.putIfAbsent(r.value().getRun(), System.nanoTime());
          Long end = endedWall.get(r.value().getRun());
          if (end != null) {
            toClose.add((double) (r.value().getClosedTime() - end));
          }
        }
      }
    }

    double millisToSummary(String run) {
      await(run, 1);
      return (arrived.get(run) - ended.get(run)) / 1e6;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  private StreamBenchmark() {}
}
