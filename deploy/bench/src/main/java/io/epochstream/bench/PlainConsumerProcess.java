package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The capacity bench's yardstick, a JVM of its own like the stream app it is compared with: a plain
 * consumer that reads records and touches each value's bytes, nothing else. Its process CPU time
 * (every thread: the consumer's, the JIT's, the collector's) against the app's, for the same records
 * read live as they are published.
 *
 * <p>Protocol on stdin/stdout, one line each: {@code read TOPIC PARTITION OFFSET COUNT} starts
 * polling (the stream app's fetch size and poll wait) and answers {@code done COUNT BYTES CPU0 CPU1}
 * once COUNT records from OFFSET were read, CPU0 and CPU1 the process CPU nanoseconds when the command
 * arrived and when the last record was read; {@code quit} exits.
 */
public final class PlainConsumerProcess {
  private PlainConsumerProcess() {}

  public static void main(String[] args) throws IOException {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20); // as the stream app fetches
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      out.println("ready");
      for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
        String[] w = line.split(" ");
        long cpu0 = processCpuNanos();
        TopicPartition tp = new TopicPartition(w[1], Integer.parseInt(w[2]));
        consumer.assign(List.of(tp));
        consumer.seek(tp, Long.parseLong(w[3]));
        long records = Long.parseLong(w[4]);
        long seen = 0;
        long bytes = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (seen < records && System.nanoTime() < deadline) {
          for (var r : consumer.poll(Duration.ofMillis(10))) { // the stream app's poll.ms
            byte[] v = r.value();
            bytes += v.length + (v.length > 0 ? v[v.length - 1] & 1 : 0);
            seen++;
          }
        }
        out.println("done " + seen + " " + bytes + " " + cpu0 + " " + processCpuNanos());
      }
    }
  }

  /**
   * The same reading in the calling thread of this JVM: CPU seconds of this thread reading {@code
   * records} records of the topic from its beginning, touching each value (for benches that keep the
   * app in their own JVM and compare thread CPU).
   */
  static double threadCpuSeconds(EmbeddedKafka kafka, String topic, int records) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      double cpu0 = ThreadCpu.currentThreadSeconds();
      long bytes = 0;
      int seen = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (seen < records && System.nanoTime() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(10))) {
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

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** The child as the bench drives it. */
  static final class Child implements AutoCloseable {
    /** One read: how many records and bytes, and the process CPU seconds it took. */
    record Read(long records, long bytes, double cpuSeconds) {}

    private final Process process;
    private final PrintStream commands;
    private final BufferedReader answers;

    Child(String bootstrap, Path log) {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx512m", "-cp", System.getProperty("java.class.path"), PlainConsumerProcess.class.getName(), bootstrap));
      try {
        process = new ProcessBuilder(command).redirectError(log.toFile()).start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
      answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      expect("ready");
    }

    /** Starts reading {@code records} records of the partition from {@code offset}; {@link #awaitRead} answers. */
    void read(TopicPartition tp, long offset, long records) {
      commands.println("read " + tp.topic() + " " + tp.partition() + " " + offset + " " + records);
    }

    Read awaitRead() {
      String[] w = expect("done").split(" ");
      return new Read(Long.parseLong(w[1]), Long.parseLong(w[2]), (Long.parseLong(w[4]) - Long.parseLong(w[3])) / 1e9);
    }

    private String expect(String word) {
      try {
        String line = answers.readLine();
        if (line == null || !line.startsWith(word)) {
          throw new IllegalStateException("the plain consumer process said '" + line + "', expected '" + word + "'");
        }
        return line;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      commands.println("quit");
      try {
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
