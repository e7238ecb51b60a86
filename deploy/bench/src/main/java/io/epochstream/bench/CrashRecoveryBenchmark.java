package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.event.Tensors;
import io.epochstream.publish.StepPublisher;
import io.epochstream.schema.EpochSummary;
import io.epochstream.serde.AvroSerde;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import io.epochstream.trainer.DefaultMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Crash recovery as an operator sees it: the stream app runs as a child process while two ranks
 * keep closing small epochs; it is killed with SIGKILL and started again at once on the same state
 * directory, and the time from the kill to the next summary on the topic is measured — JVM start,
 * rejoining the group, restoring state from the changelogs and catching up included.
 *
 * <p>Usage: {@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*" io.epochstream.bench.CrashRecoveryBenchmark [kills=5]}.
 */
public final class CrashRecoveryBenchmark {
  private static final Duration WAIT = Duration.ofSeconds(180);

  private CrashRecoveryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int kills = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<Recovery> recoveries = secondsFromKillToNextSummary(kills);
    System.out.printf(Locale.ROOT, "seconds from kill -9 to the next summary, %d kills: %s; median %.1f, max %.1f%n", kills,
        recoveries.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.toSummary())).toList(),
        median(recoveries, Recovery::toSummary), max(recoveries, Recovery::toSummary));
    System.out.printf(Locale.ROOT, "of which the restarted JVM took to print \"running\": median %.1f, max %.1f%n",
        median(recoveries, Recovery::toRunning), max(recoveries, Recovery::toRunning));
  }

  /** One kill: seconds until the restarted app said it runs (JVM start included), and until the next summary. */
  public record Recovery(double toRunning, double toSummary) {}

  public static double median(List<Recovery> rs, java.util.function.ToDoubleFunction<Recovery> f) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    return v[v.length / 2];
  }

  public static double max(List<Recovery> rs, java.util.function.ToDoubleFunction<Recovery> f) {
    return rs.stream().mapToDouble(f).max().orElse(Double.NaN);
  }

  /** For each of {@code kills} SIGKILLs of the stream app, how long until the restarted one runs and until the next summary. */
  public static List<Recovery> secondsFromKillToNextSummary(int kills) throws Exception {
    Path dir = BenchDirectory.create("epochstream-crash-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      Topics topics = new Topics("crash.");
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicSetup(topics, 2, (short) 1).ensure(admin);
      }
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.epochstream.cli.Main",
          "stream", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          "--application-id", "crash-bench", "--state-dir", dir.resolve("state").toString(), "--no-http"));
      SummaryClock summaries = new SummaryClock(kafka.clientConfig(), topics.epochSummaries());
      AtomicBoolean publishing = new AtomicBoolean(true);
      Thread trainers = new Thread(() -> publishEpochs(kafka.clientConfig(), topics, publishing), "bench-trainers");
      List<Recovery> out = new ArrayList<>();
      Process app = ChildProcess.start(command, dir.resolve("stream-0.log"));
      try {
        trainers.start();
        summaries.awaitClosedAfter(System.currentTimeMillis());
        for (int k = 0; k < kills; k++) {
          long killedMillis = System.currentTimeMillis();
          long killed = System.nanoTime();
          app.destroyForcibly(); // SIGKILL: no shutdown hook, no leave group, a transaction left open
          app.waitFor(30, TimeUnit.SECONDS);
          Path log = dir.resolve("stream-" + (k + 1) + ".log");
          app = ChildProcess.start(command, log);
          long running = ChildProcess.awaitLine(log, "running on", WAIT);
          out.add(new Recovery((running - killed) / 1e9, (summaries.awaitClosedAfter(killedMillis) - killed) / 1e9));
          summaries.awaitClosedAfter(System.currentTimeMillis()); // steady again before the next kill
        }
      } finally {
        publishing.set(false);
        trainers.join(30_000);
        app.destroyForcibly();
        app.waitFor(30, TimeUnit.SECONDS);
        summaries.close();
      }
      return out;
    }
  }



  /** Two ranks closing an epoch of 20 steps each every few hundred milliseconds until told to stop. */
  private static void publishEpochs(Map<String, Object> clientConfig, Topics topics, AtomicBoolean publishing) {
    SplittableRandom random = new SplittableRandom(5);
    try (StepPublisher rank0 = new StepPublisher(clientConfig, topics, "crash", 0);
         StepPublisher rank1 = new StepPublisher(clientConfig, topics, "crash", 1)) {
      List<StepPublisher> ranks = List.of(rank0, rank1);
      ranks.forEach(r -> r.runStarted(2, DefaultMetrics.multiclass(4), Map.of(), Map.of()));
      for (int epoch = 0; publishing.get(); epoch++) {
        for (int step = 0; step < 20; step++) {
          for (StepPublisher rank : ranks) {
            float[] probs = new float[64 * 4];
            int[] target = new int[64];
            for (int i = 0; i < probs.length; i++) {
              probs[i] = (float) random.nextDouble();
            }
            for (int i = 0; i < target.length; i++) {
              target[i] = random.nextInt(4);
            }
            rank.step("train", epoch, step, 64, random.nextDouble(), Tensors.ofFloats(probs, 64, 4), Tensors.ofInts(target, 64), Map.of());
          }
        }
        int e = epoch;
        ranks.forEach(r -> r.epochEnd("train", e, 20));
        ranks.forEach(StepPublisher::flush);
        Thread.sleep(200);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * When each committed summary arrived here (System.nanoTime), with the wall-clock time the app
   * closed it: a summary the killed instance committed just before its death can arrive after the
   * kill, so "after the kill" is judged by when the epoch was closed, not by when it was read.
   */
  private static final class SummaryClock implements AutoCloseable {
    private record Arrival(long closedMillis, long arrivedNanos) {}

    private final List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final Thread thread;

    SummaryClock(Map<String, Object> clientConfig, String topic) {
      Map<String, Object> props = new HashMap<>(clientConfig);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      AvroSerde<EpochSummary> serde = AvroSerde.of(EpochSummary.class);
      thread = new Thread(() -> {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
          List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
          consumer.assign(parts);
          consumer.seekToEnd(parts);
          while (open.get()) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
              arrivals.add(new Arrival(serde.decode(r.value()).getClosedTime(), System.nanoTime()));
            }
          }
        }
      }, "bench-summaries");
      thread.setDaemon(true);
      thread.start();
    }

    /** Blocks until a summary closed at or after {@code millis} (wall clock) arrives; returns when it did. */
    long awaitClosedAfter(long millis) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        synchronized (arrivals) {
          for (Arrival a : arrivals) {
            if (a.closedMillis() >= millis) {
              return a.arrivedNanos();
            }
          }
        }
        Thread.sleep(5);
      }
      throw new IllegalStateException("no summary within " + WAIT);
    }

    @Override
    public void close() throws InterruptedException {
      open.set(false);
      thread.join(5000);
    }
  }
}
