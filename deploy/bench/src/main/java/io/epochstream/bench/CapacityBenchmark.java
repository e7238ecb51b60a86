package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.topic.TopicSetup;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.trainer.DefaultMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Issue 13 item 5, {@code preds} publishing: for C classes at batch 256 with the trainer's default
 * metric set, the CPU seconds per million samples of the stream app (every thread that carries its
 * application id: the stream thread, its producer's I/O thread, the state updater) and of a plain
 * consumer reading the same records (bytes only, on one thread), from the same topic on the same
 * broker, both live while the steps are published. One rank, one partition: one stream thread does
 * all the work. CPU time, not wall time,
 * so the other processes on a shared machine do not enter the figure; RocksDB's native background
 * threads are not Java threads and are not counted.
 *
 * <p>Usage: {@code java -cp "deploy/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*" io.epochstream.bench.CapacityBenchmark [megabytes=100] [reps=3] [classes...]}.
 */
public final class CapacityBenchmark {
  static final int BATCH = 256;

  /** One C: the step event's bytes and each repetition's CPU seconds per million samples. */
  public record Result(int classes, boolean state, int stepBytes, long samples, List<Double> streamCpuPerMillion, List<Double> streamThreadCpuPerMillion,
      List<Double> rawCpuPerMillion) {}

  public static void main(String[] args) throws Exception {
    int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    for (int i = 2; i < Math.max(3, args.length); i++) {
      boolean state = System.getProperty("mode", "preds").equals("state");
      Result r = run(args.length > i ? Integer.parseInt(args[i]) : 10, megabytes, reps, state);
      System.out.printf(Locale.ROOT, "C=%d (" + (state ? "state" : "preds") + "): %d-byte steps, %d samples; CPU-s per M samples: stream app %s, stream thread %s, plain consumer %s%n",
          r.classes(), r.stepBytes(), r.samples(), r.streamCpuPerMillion(), r.streamThreadCpuPerMillion(), r.rawCpuPerMillion());
    }
  }

  /** Per-rank sample rate of a realistic GPU trainer: ResNet-50 training on one GPU, images/s. */
  static final double[] RANK_RATE = {2500, 3000};

  /** The bench's table: preds and state mode measured per C, on the same batches. */
  public static void report(StringBuilder md, boolean quick, int reps) throws Exception {
    int megabytes = quick ? 10 : 50;
    md.append(String.format(Locale.ROOT, "%n### Capacity by class count (B=256, default metric set: accuracy, macro F1, binned macro "
        + "AUROC; 1 rank, 1 partition, ~%d MB of step events per C; %s)%n%n", megabytes,
        reps > 1 ? "median of " + reps + " (min–max) after a warm-up" : "one repetition after a warm-up"));
    md.append("Also alone: `" + BenchJar.command(CapacityBenchmark.class, "50 3 10 100 1000") + "`. CPU: the stream "
        + "app's Java threads (stream thread, its producer, state updater) from RUNNING to the summary; the plain consumer's one thread reading "
        + "the same records (bytes only); ranks per stream thread use the stream thread's own CPU. Both wait on fresh topics and read live while the steps are published, so both see the same fetches. Ranks per stream thread: samples per stream-CPU-second ÷ "
        + String.format(Locale.ROOT, "%.0f–%.0f", RANK_RATE[0], RANK_RATE[1]) + " samples/s per rank (ResNet-50 training on one GPU), "
        + "assuming the thread has a whole core. Bytes: the encoded step event, and lz4-compressed as the producer sends it.\n\n");
    md.append("| C | mode | bytes per training step (lz4) | stream app CPU-s per M samples | of which the stream thread "
        + "| plain consumer CPU-s per M samples | ratio app ÷ plain (goal ≤ 2 at C = 10) | ranks one stream thread keeps up with |\n"
        + "|---|---|---|---|---|---|---|---|\n");
    for (int classes : new int[] {10, 100, 1000}) {
      StateModeBytes.Sizes sizes = StateModeBytes.of(classes, BATCH);
      Result preds = run(classes, megabytes, reps, false);
      row(md, preds, String.format(Locale.ROOT, "%,d (%,d)", preds.stepBytes(), sizes.predsLz4Bytes()));
      Result state = run(classes, megabytes, reps, true);
      row(md, state, String.format(Locale.ROOT, "%,d", state.stepBytes()));
      if (classes == 1000) {
        md.append(String.format(Locale.ROOT, "%nAt C = 1000, preds ÷ state bytes per training step (goal ≥ 10): %.1f as sent "
            + "(state mode's delta is zlib-compressed by the trainer), with one delta per step; a delta per k steps divides the "
            + "state's share by k.%n", (double) preds.stepBytes() / state.stepBytes()));
      }
    }
  }

  private static void row(StringBuilder md, Result r, String bytes) {
    List<Double> ratio = new ArrayList<>();
    for (int i = 0; i < r.streamCpuPerMillion().size(); i++) {
      ratio.add(r.streamCpuPerMillion().get(i) / r.rawCpuPerMillion().get(i));
    }
    double perSecond = 1e6 / Stats.median(r.streamThreadCpuPerMillion()); // samples per second of one busy stream thread
    md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %.1f–%.1f |%n", r.classes(), r.state() ? "state" : "preds",
        bytes, Stats.summary(r.streamCpuPerMillion(), "%.2f"), Stats.summary(r.streamThreadCpuPerMillion(), "%.2f"),
        Stats.summary(r.rawCpuPerMillion(), "%.2f"), Stats.summary(ratio, "%.1f"), perSecond / RANK_RATE[1], perSecond / RANK_RATE[0]));
  }

  /** About {@code megabytes} of step events of C classes (at least 40 steps), {@code reps} repetitions after a warm-up. */
  public static Result run(int classes, int megabytes, int reps, boolean state) throws Exception {
    Path dir = BenchDirectory.create("epochstream-bench-capacity");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      int stepBytes = StepEvents.stepEvent(BATCH, classes).length;
      int steps = Math.max(40, (int) ((long) megabytes * 1_000_000 / stepBytes));
      long samples = (long) steps * BATCH;
      List<Double> stream = new ArrayList<>();
      List<Double> streamThread = new ArrayList<>();
      List<Double> raw = new ArrayList<>();
      for (int r = 0; r <= reps; r++) { // r = 0 warms up the JIT for this C
        double[] cpu = live(kafka, new Topics("cap" + r + (state ? "s." : ".")), dir, classes, steps, state);
        if (r > 0) {
          stream.add(cpu[0] / samples * 1e6);
          streamThread.add(cpu[1] / samples * 1e6);
          raw.add(cpu[2] / samples * 1e6);
        }
      }
      System.err.printf("capacity at C=%d (%s) done%n", classes, state ? "state" : "preds");
      return new Result(classes, state, state ? stateStepBytes(classes) : stepBytes, samples, stream, streamThread, raw);
    }
  }

  /**
   * Live, as with a training run: the stream app (RUNNING) and a plain consumer wait on fresh
   * topics, then the steps are published; CPU seconds [stream app, its stream thread alone, plain consumer] until the
   * app's summary and the consumer's last record. Both read as the records arrive, so both pay the
   * same fetch sizes.
   */
  private static double[] live(EmbeddedKafka kafka, Topics topics, Path dir, int classes, int steps, boolean state) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      new TopicSetup(topics, 1, (short) 1).ensure(admin);
    }
    String app = topics.prefix() + "app";
    try (MetricsStreamApp stream = new MetricsStreamApp(kafka.clientConfig(), topics, app, dir.resolve(app));
         CommittedRecords summaries = new CommittedRecords(kafka, topics.epochSummaries())) {
      stream.start(Duration.ofSeconds(120));
      ThreadCpu cpu = new ThreadCpu(name -> name.contains(app));
      // The stream thread itself (its producer's I/O thread is "kafka-producer-network-thread | ...-StreamThread-1-producer").
      ThreadCpu streamThread = new ThreadCpu(name -> name.startsWith(app) && name.matches(".*-StreamThread-\\d+"));
      CompletableFuture<Double> plain = new CompletableFuture<>();
      Thread consumer = new Thread(() -> {
        try {
          plain.complete(plainConsumerCpu(kafka, topics.steps(), steps + 2));
        } catch (RuntimeException e) {
          plain.completeExceptionally(e);
        }
      }, "bench-plain-consumer");
      consumer.start();
      publish(kafka, topics, classes, steps, state);
      summaries.await(1, Duration.ofMinutes(10));
      double streamCpu = cpu.seconds();
      double streamThreadCpu = streamThread.seconds();
      return new double[] {streamCpu, streamThreadCpu, plain.get(10, TimeUnit.MINUTES)};
    }
  }

  /** The bytes of one state-mode step event (one batch's delta, random scores as the preds steps have). */
  private static int stateStepBytes(int classes) {
    return StepEvents.stateStepEvent(BATCH, classes, DefaultMetrics.multiclass(classes)).length;
  }

  private static void publish(EmbeddedKafka kafka, Topics topics, int classes, int steps, boolean state) {
    try (StepEvents events = new StepEvents(kafka, topics, "c" + classes, BATCH, classes)) {
      if (state) {
        events.publishingState(DefaultMetrics.multiclass(classes));
      }
      events.runStarted(1, DefaultMetrics.multiclass(classes));
      for (int s = 0; s < steps; s++) {
        events.step(0, "train", 0, s);
      }
      events.epochEnd(0, "train", 0, steps);
      events.flush();
    }
  }

  /** CPU seconds of this thread reading {@code records} records of the topic and touching each value. */
  static double plainConsumerCpu(EmbeddedKafka kafka, String topic, int records) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20); // as the stream app fetches
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      double cpu0 = ThreadCpu.currentThreadSeconds();
      long bytes = 0;
      int seen = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (seen < records && System.nanoTime() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(10))) { // the stream app's poll.ms
          bytes += r.value().length;
          seen++;
        }
      }
      if (seen < records || bytes == 0) {
        throw new IllegalStateException("the plain consumer read " + seen + " of " + records + " records");
      }
      return ThreadCpu.currentThreadSeconds() - cpu0;
    }
  }

  private CapacityBenchmark() {}
}
