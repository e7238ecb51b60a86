package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.event.Keys;
import io.epochstream.event.ParamValues;
import io.epochstream.event.Tensors;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What a stream app keeps after many finished runs, and what a restart costs. N
 * short finished runs (RunStarted, one step, EpochEnd, RunFinished; world size 1, binary accuracy)
 * go through the stream app, a child process, on a fresh embedded broker. Once their summaries are
 * out and, with a short {@code --run-retention}, every key naming them is a tombstone: the live and
 * tombstoned keys across the app's changelogs and the bytes of its state directory. Then the log
 * cleaner is given time to compact the changelogs, the app is killed with SIGKILL and restarted on
 * the same state directory (exactly-once: an unclean stop wipes the stores and restores them from
 * the changelogs), and the restart is timed to its "running" line.
 *
 * <p>Usage: {@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*" io.epochstream.bench.RunLifecycleBenchmark [runs=10000]}.
 *
 * <p>One idea in one file though long: one measurement, whose phases (publish, await tombstones,
 * count changelog keys, compact, kill, time the restore) share the child process and its broker.
 */
public final class RunLifecycleBenchmark {
  private static final String APP = "bench-life";
  static final Duration SHORT = Duration.ofSeconds(5);
  static final Duration LONG = Duration.ofDays(1);
  /** The app's {@code topic.segment.ms} (default 10 min): the bench cannot wait for that roll. */
  static final long SEGMENT_MS = 5000;
  /** The broker's {@code log.cleaner.backoff.ms} (default 15 s), set at run time: it is a dynamic config. */
  static final long CLEANER_BACKOFF_MS = 1000;
  private static final Duration WAIT = Duration.ofMinutes(10);
  private static final Duration COMPACTION_WAIT = Duration.ofSeconds(90);
  private static final Pattern RESTORED = Pattern.compile("restored ([\\d,]+) changelog records into (\\d+) stores in ([\\d.]+) s");
  private static final Map<String, MetricSpec> METRICS = Map.of("acc", ParamValues.spec("accuracy", Map.of("task", "binary")));

  private RunLifecycleBenchmark() {}

  /** What the app's changelogs hold: each key's latest committed value, live or a tombstone. */
  public record Census(long live, long tombstoned, long liveBytes, long largestLive, long recordsRead, long endOffsets,
      Map<String, Long> liveByStore) {}

  /** The restarted app: seconds from its start to "running", and its own "restored ..." line's figures. */
  public record Restore(double secondsToRunning, long records, int stores, double seconds, long stateBytes) {}

  /** The log cleaner's progress: changelog partitions it compacted at least once, of those that rolled a segment, of all. */
  public record Compaction(int cleaned, int rolled, int partitions) {}

  /** One scenario: {@code runs} finished runs under {@code retention}. */
  public record Result(int runs, Duration retention, double secondsToSummaries, long lost, Census census,
      Census beforeKill, Compaction compaction, Restore restore) {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    StringBuilder md = new StringBuilder();
    table(md, List.of(measure(10, SHORT), measure(runs, SHORT), measure(runs, LONG)));
    System.out.println(md);
  }

  /** The bench's section: 10 and N runs with a short retention, N runs with the default P1D (nothing expires). */
  public static void report(StringBuilder md, boolean quick) throws Exception {
    int runs = quick ? 300 : 10_000;
    List<Result> results = new ArrayList<>();
    results.add(measure(10, SHORT));
    results.add(measure(runs, SHORT));
    results.add(measure(runs, LONG));
    md.append(String.format(Locale.ROOT, "%n### Run lifecycle: what the stream app keeps after N finished runs, and a restart after kill -9 "
        + "(1 partition, world size 1, one step per run, binary accuracy)%n%n"));
    md.append("Also alone: `" + BenchJar.command(RunLifecycleBenchmark.class, "10000") + "`. ");
    table(md, results);
  }

  static void table(StringBuilder md, List<Result> results) {
    md.append(String.format(Locale.ROOT, "The app runs as a child process with `topic.segment.ms=%d` (a client config; default 10 min) and the broker "
        + "with `log.cleaner.backoff.ms=%d`. Keys: the latest committed value of each key across the app's `*-changelog` topics, read once every "
        + "summary is out and, with the short retention, every key naming a run is a tombstone. "
        + "Then one more run comes after a segment's time (a segment rolls only on an append), the log cleaner gets until it has compacted "
        + "every changelog partition that rolled a segment at least once (at most %d s), the app is killed with SIGKILL and restarted on its "
        + "state directory (no checkpoint: exactly-once wipes the stores and restores them). State bytes: the restored app's state directory "
        + "once it is stopped cleanly (SIGTERM: RocksDB's memtables flushed to SST files; no RocksDB compaction asked for), apparent size as "
        + "`du -sb` counts it. Load average at the end: "
        + "%.1f.%n%n", SEGMENT_MS, CLEANER_BACKOFF_MS, COMPACTION_WAIT.toSeconds(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    md.append("| past runs | `--run-retention` | s to all summaries | summaries lost (dead letters) | live keys (their bytes; largest value) | tombstoned keys "
        + "| changelog records before the kill "
        + "(of end offsets) | changelog partitions compacted (of rolled; all) | restored records (stores) | restore s (app's line) | s from restart to running "
        + "| state bytes after restore |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      md.append(String.format(Locale.ROOT, "| %,d | %s | %.1f | %,d | %,d (%,d; %,d) | %,d | %,d (%,d) | %d of %d (%d) | %,d (%d) | %.2f | %.1f | %,d |%n",
          r.runs(), r.retention(), r.secondsToSummaries(), r.lost(), r.census().live(), r.census().liveBytes(),
          r.census().largestLive(), r.census().tombstoned(),
          r.beforeKill().recordsRead(), r.beforeKill().endOffsets(), r.compaction().cleaned(), r.compaction().rolled(),
          r.compaction().partitions(), r.restore().records(), r.restore().stores(), r.restore().seconds(), r.restore().secondsToRunning(),
          r.restore().stateBytes()));
    }
    md.append("\nLive keys by store: ");
    md.append(String.join("; ", results.stream().map(r -> String.format(Locale.ROOT, "%,d runs, %s: %s", r.runs(), r.retention(),
        r.census().liveByStore())).toList()));
    md.append("\n");
  }

  /** One scenario on a fresh broker and state directory, deleted afterwards. */
  public static Result measure(int runs, Duration retention) throws Exception {
    Path dir = BenchDirectory.create("epochstream-life-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      Topics topics = new Topics("life.");
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicSetup(topics, 1, (short) 1).ensure(admin);
        shortenCleanerBackoff(admin);
      }
      Path clientConfig = dir.resolve("client.properties");
      Files.writeString(clientConfig, "topic.segment.ms=" + SEGMENT_MS + "\n");
      Path state = dir.resolve("state");
      List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.epochstream.cli.Main",
          "stream", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          "--partitions", "1", "--application-id", APP, "--state-dir", state.toString(), "--no-http", "--run-retention", retention.toString(),
          "--client-config", clientConfig.toString());
      List<String> names = IntStream.range(0, runs).mapToObj(i -> String.format(Locale.ROOT, "past%05d", i)).toList();
      Process app = ChildProcess.start(command, dir.resolve("stream-0.log"));
      try (Outcomes outcomes = new Outcomes(kafka, topics)) {
        ChildProcess.awaitLine(dir.resolve("stream-0.log"), "running on", WAIT);
        long published = System.nanoTime();
        publish(kafka, topics, names);
        outcomes.await(runs);
        long lost = outcomes.deadLetters();
        double toSummaries = (System.nanoTime() - published) / 1e9;
        Census census = retention.compareTo(SHORT) <= 0 ? awaitExpired(kafka, names) : census(kafka);

        // A segment rolls only when a record is appended after segment.ms: one more run, as a service keeps seeing.
        Thread.sleep(SEGMENT_MS + 1000);
        publish(kafka, topics, List.of("later"));
        outcomes.await(runs + 1);
        if (retention.compareTo(SHORT) <= 0) {
          awaitExpired(kafka, List.of("later"));
        }
        Compaction compaction = awaitCompaction(kafka.dataDir().resolve("kafka"));
        Census beforeKill = census(kafka);

        app.destroyForcibly(); // SIGKILL: no checkpoint written, so exactly-once restores every store
        app.waitFor(30, TimeUnit.SECONDS);
        Path log = dir.resolve("stream-1.log");
        long restarted = System.nanoTime();
        app = ChildProcess.start(command, log);
        long running = ChildProcess.awaitLine(log, "running on", WAIT);
        String restoredLine = Files.readString(log);
        // RocksDB holds recent writes in memtables, not on disk, until a flush: a clean stop flushes them.
        // (Only now: after a clean stop the next kill -9 restores from its checkpoint, not from scratch.)
        app = stopCleanly(app);
        Restore restore = restore(restoredLine, (running - restarted) / 1e9, bytes(state));
        System.err.printf(Locale.ROOT, "lifecycle: %d runs, retention %s done%n", runs, retention);
        return new Result(runs, retention, toSummaries, lost, census, beforeKill, compaction, restore);
      } finally {
        app.destroyForcibly();
        app.waitFor(30, TimeUnit.SECONDS);
      }
    } finally {
      BenchDirectory.delete(dir);
    }
  }

  /** Each run: RunStarted (runs and steps topics), one step of 2 samples, EpochEnd, RunFinished (both topics); as StepPublisher sends them. */
  private static void publish(EmbeddedKafka kafka, Topics topics, List<String> runs) {
    EventSerde<StepEvent> steps = EventSerde.steps(WireFormat.AVRO);
    EventSerde<RunEvent> runEvents = EventSerde.runs(WireFormat.AVRO);
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (String run : runs) {
        long now = System.currentTimeMillis();
        String key = Keys.step(run, 0);
        RunStarted started = RunStarted.newBuilder().setWorldSize(1).setMetrics(METRICS).build();
        RunFinished finished = new RunFinished("completed", null);
        StepOutput step = new StepOutput(0L, 2, 0.5, Tensors.ofFloats(new float[] {0.2f, 0.8f}, 2), Tensors.ofLongs(new long[] {0, 1}, 2),
            Map.of(), null);
        producer.send(new ProducerRecord<>(topics.runs(), run, runEvents.encode(new RunEvent(run, now, started, null))));
        producer.send(new ProducerRecord<>(topics.steps(), key, steps.encode(new StepEvent(run, "", 0, 0, now, started))));
        producer.send(new ProducerRecord<>(topics.steps(), key, steps.encode(new StepEvent(run, "train", 0, 0, now, step))));
        producer.send(new ProducerRecord<>(topics.steps(), key, steps.encode(new StepEvent(run, "train", 0, 0, now, new EpochEnd(1L)))));
        producer.send(new ProducerRecord<>(topics.runs(), run, runEvents.encode(new RunEvent(run, now, finished, null))));
        producer.send(new ProducerRecord<>(topics.steps(), key, steps.encode(new StepEvent(run, "", 0, 0, now, finished))));
      }
      producer.flush();
    }
  }

  /**
   * Follows the summaries and dead-letter topics as read_committed consumers see them: a run whose
   * summary never comes must show up as a dead letter (a refused partial), not hang the bench.
   */
  private static final class Outcomes implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final String deadLetterTopic;
    private long summaries;
    private long deadLetters;

    Outcomes(EmbeddedKafka kafka, Topics topics) {
      consumer = consumer(kafka);
      deadLetterTopic = topics.deadLetters();
      List<TopicPartition> parts = new ArrayList<>();
      for (String topic : List.of(topics.epochSummaries(), topics.deadLetters())) {
        consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
    }

    /** Polls until summaries and dead letters together reach {@code expected}. */
    void await(long expected) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (summaries + deadLetters < expected) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(summaries + " summaries and " + deadLetters + " dead letters of " + expected + " runs after " + WAIT);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (r.topic().equals(deadLetterTopic)) {
            deadLetters++;
            org.apache.kafka.common.header.Header reason = r.headers().lastHeader("epochstream.reason");
            System.err.println("lifecycle: dead letter " + r.key() + ": "
                + (reason == null ? "(no reason)" : new String(reason.value(), java.nio.charset.StandardCharsets.UTF_8)));
          } else {
            summaries++;
          }
        }
      }
    }

    long deadLetters() {
      return deadLetters;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /** Polls the changelogs until no key naming one of {@code runs} is live; the last reading. */
  private static Census awaitExpired(EmbeddedKafka kafka, List<String> runs) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    java.util.Set<String> named = new java.util.HashSet<>(runs);
    while (true) {
      Map<String, Integer> keys = latest(kafka);
      long liveOfRuns = keys.entrySet().stream().filter(e -> e.getValue() >= 0 && named.contains(runOf(e.getKey()))).count();
      if (liveOfRuns == 0) {
        return census(keys, kafka);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(liveOfRuns + " changelog keys of finished runs still live after " + WAIT + " (retention " + SHORT + ")");
      }
      Thread.sleep(1000);
    }
  }

  /** The run a store key names: the record key up to its first ':' (keys are the run id or "run:…"). */
  private static String runOf(String storeAndKey) {
    String key = storeAndKey.substring(storeAndKey.indexOf('/') + 1);
    int colon = key.indexOf(':');
    return colon < 0 ? key : key.substring(0, colon);
  }

  private static Census census(EmbeddedKafka kafka) throws Exception {
    return census(latest(kafka), kafka);
  }

  private static Census census(Map<String, Integer> keys, EmbeddedKafka kafka) throws Exception {
    Map<String, Long> liveByStore = new TreeMap<>();
    keys.forEach((k, size) -> {
      if (size >= 0) {
        liveByStore.merge(k.substring(0, k.indexOf('/')), 1L, Long::sum);
      }
    });
    long live = keys.values().stream().filter(v -> v >= 0).count();
    long liveBytes = keys.values().stream().filter(v -> v >= 0).mapToLong(Integer::longValue).sum();
    long largest = keys.values().stream().mapToLong(Integer::longValue).max().orElse(0);
    long[] readAndEnd = readAndEnd(kafka);
    return new Census(live, keys.size() - live, liveBytes, Math.max(0, largest), readAndEnd[0], readAndEnd[1], liveByStore);
  }

  private static List<String> changelogs(EmbeddedKafka kafka) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(t -> t.startsWith(APP + "-") && t.endsWith("-changelog")).sorted().toList();
    }
  }

  private static KafkaConsumer<String, byte[]> consumer(EmbeddedKafka kafka) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // as a restore reads them
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Key {@code "<store>/<record key>"}: the size of its latest committed value, -1 for a tombstone. */
  private static Map<String, Integer> latest(EmbeddedKafka kafka) throws Exception {
    Map<String, Integer> live = new HashMap<>();
    scan(kafka, r -> live.put(r.topic().substring(APP.length() + 1, r.topic().length() - "-changelog".length()) + "/" + r.key(), r.value() == null ? -1 : r.value().length));
    return live;
  }

  /** Records a read_committed consumer reads from the changelogs, and the sum of their end offsets (transaction markers included). */
  private static long[] readAndEnd(EmbeddedKafka kafka) throws Exception {
    long[] read = {0};
    long end = scan(kafka, r -> read[0]++);
    return new long[] {read[0], end};
  }

  /** Reads every committed changelog record once; returns the sum of their end offsets. */
  private static long scan(EmbeddedKafka kafka, java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) throws Exception {
    long total = 0;
    try (KafkaConsumer<String, byte[]> consumer = consumer(kafka)) {
      for (String topic : changelogs(kafka)) {
        List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        total += end.values().stream().mapToLong(Long::longValue).sum();
        while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
              each.accept(r);
            }
          }
        }
      }
    }
    return total;
  }

  /** {@code log.cleaner.backoff.ms} is one of the cleaner's dynamic broker configs: set cluster-wide, no restart. */
  private static void shortenCleanerBackoff(Admin admin) throws Exception {
    ConfigResource cluster = new ConfigResource(ConfigResource.Type.BROKER, "");
    admin.incrementalAlterConfigs(Map.of(cluster, List.of(new AlterConfigOp(
        new ConfigEntry("log.cleaner.backoff.ms", Long.toString(CLEANER_BACKOFF_MS)), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
  }

  /**
   * Waits until the log cleaner has compacted every changelog partition that rolled a segment at
   * least once (it has an entry in the broker's {@code cleaner-offset-checkpoint}), or
   * {@link #COMPACTION_WAIT} passed; what it reached. Later segments wait for Kafka's
   * {@code min.cleanable.dirty.ratio} (0.5): the records a restore reads show what is left.
   */
  private static Compaction awaitCompaction(Path logDir) throws Exception {
    long deadline = System.nanoTime() + COMPACTION_WAIT.toNanos();
    while (true) {
      Compaction c = compaction(logDir);
      if (c.cleaned() == c.rolled() || System.nanoTime() > deadline) {
        return c;
      }
      Thread.sleep(1000);
    }
  }

  private static Compaction compaction(Path logDir) throws IOException {
    java.util.Set<String> cleaned = new java.util.HashSet<>();
    Path checkpoint = logDir.resolve("cleaner-offset-checkpoint");
    if (Files.exists(checkpoint)) {
      List<String> lines = Files.readAllLines(checkpoint);
      for (String line : lines.subList(Math.min(2, lines.size()), lines.size())) { // version, count, then "topic partition offset"
        String[] f = line.trim().split(" ");
        if (f.length == 3) {
          cleaned.add(f[0] + "-" + f[1]);
        }
      }
    }
    int partitions = 0;
    int rolled = 0;
    int done = 0;
    try (Stream<Path> dirs = Files.list(logDir)) {
      for (Path p : dirs.filter(d -> d.getFileName().toString().startsWith(APP + "-") && d.getFileName().toString().contains("-changelog-")).toList()) {
        partitions++;
        long segments;
        try (Stream<Path> files = Files.list(p)) {
          segments = files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
        }
        if (segments > 1) {
          rolled++;
          done += cleaned.contains(p.getFileName().toString()) ? 1 : 0;
        }
      }
    }
    return new Compaction(done, rolled, partitions);
  }

  static Restore restore(String log, double secondsToRunning, long stateBytes) {
    Matcher m = RESTORED.matcher(log);
    if (!m.find()) {
      return new Restore(secondsToRunning, 0, 0, 0, stateBytes); // the app restored nothing and said so by silence
    }
    return new Restore(secondsToRunning, Long.parseLong(m.group(1).replace(",", "")), Integer.parseInt(m.group(2)),
        Double.parseDouble(m.group(3)), stateBytes);
  }

  /** Apparent size of the regular files under {@code dir} ({@code du -sb}). */
  private static long bytes(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          return 0; // RocksDB removed it while we walked
        }
      }).sum();
    }
  }


  /** SIGTERM: the app closes its stores (RocksDB flushes its memtables) and writes its checkpoint. */
  private static Process stopCleanly(Process app) throws InterruptedException {
    app.destroy();
    if (!app.waitFor(120, TimeUnit.SECONDS)) {
      app.destroyForcibly();
      throw new IllegalStateException("the stream app did not stop within 120 s of SIGTERM");
    }
    return app;
  }


}
