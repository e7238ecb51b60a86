package io.epochstream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where some threads spend their CPU while a measurement runs: JFR execution samples (every 10 ms)
 * of the threads whose name contains a marker (Kafka Streams' "StreamThread"), counted by the
 * method on top of the stack and by the component that method belongs to. Samples are taken only
 * of threads running Java code; waiting on the broker or on a lock is not in them.
 */
public final class HotFrames {
  /** The samples: total, and counts by top method and by component, largest first. */
  public record Profile(long samples, Map<String, Long> methods, Map<String, Long> components) {}

  /** What the work returned, and its profile. */
  public record Profiled<T>(T result, Profile profile) {}

  private HotFrames() {}

  public static <T> Profiled<T> profile(String threadMarker, Callable<T> work) throws Exception {
    Path file = Files.createTempFile("epochstream-bench", ".jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.start();
      T result = work.call();
      recording.stop();
      recording.dump(file);
      return new Profiled<>(result, read(file, threadMarker));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static Profile read(Path file, String marker) throws IOException {
    Map<String, Long> methods = new HashMap<>();
    Map<String, Long> components = new HashMap<>();
    long total = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (e.getThread("sampledThread") == null || e.getThread("sampledThread").getJavaName() == null
          || !e.getThread("sampledThread").getJavaName().contains(marker) || e.getStackTrace() == null) {
        continue;
      }
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      total++;
      RecordedFrame top = frames.get(0);
      String type = top.getMethod().getType().getName();
      methods.merge(simple(type) + "." + top.getMethod().getName(), 1L, Long::sum);
      components.merge(component(frames), 1L, Long::sum);
    }
    return new Profile(total, sorted(methods), sorted(components));
  }

  /**
   * The component a sample is charged to: the first epochstream frame's package when an epochstream
   * method is on top, else the library on top (Avro, RocksDB, Kafka, the JDK).
   */
  private static String component(List<RecordedFrame> frames) {
    String top = frames.get(0).getMethod().getType().getName();
    if (top.startsWith("io.epochstream.")) {
      String[] parts = top.split("\\.");
      return "epochstream " + parts[2];
    }
    if (top.startsWith("org.apache.avro.")) {
      return "Avro";
    }
    if (top.startsWith("org.rocksdb.")) {
      return "RocksDB";
    }
    if (top.startsWith("org.apache.kafka.")) {
      return "Kafka clients/Streams";
    }
    if (top.startsWith("java.") || top.startsWith("jdk.") || top.startsWith("sun.")) {
      // charge JDK work to the nearest caller outside the JDK
      for (RecordedFrame f : frames) {
        String type = f.getMethod().getType().getName();
        if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
          return "JDK, called from " + (type.startsWith("io.epochstream.") ? "epochstream " + type.split("\\.")[2]
              : type.startsWith("org.apache.avro.") ? "Avro" : type.startsWith("org.apache.kafka.") ? "Kafka" : type);
        }
      }
      return "JDK";
    }
    return top;
  }

  private static String simple(String type) {
    return type.substring(type.lastIndexOf('.') + 1);
  }

  private static Map<String, Long> sorted(Map<String, Long> counts) {
    Map<String, Long> out = new LinkedHashMap<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
