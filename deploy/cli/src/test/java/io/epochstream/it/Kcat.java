package io.epochstream.it;

import io.epochstream.testing.RequiredTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's {@code kcat} (librdkafka, C): the non-JVM Kafka client the wire-format tests produce and
 * consume with. A test using it is skipped, saying why, where it is not installed
 * ({@code apt-get install -y kcat}; {@code .ci/run} installs it where apt is available), and fails under CI=true.
 */
final class Kcat {
  private final String bootstrap;

  private Kcat(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  static Kcat against(String bootstrapServers) {
    RequiredTool.require(RequiredTool.onPath("kcat"), "kcat is not installed (apt-get install -y kcat): skipping the non-JVM client test");
    return new Kcat(bootstrapServers);
  }

  /** Produces each {@code key<TAB>value} line as one record. */
  void produce(String topic, List<String> keyTabValue, Path dir) throws IOException, InterruptedException {
    Path input = Files.createTempFile(dir, "kcat-", ".txt");
    Files.write(input, keyTabValue, StandardCharsets.UTF_8);
    run(List.of("kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\t", "-l", input.toString()), 60);
  }

  /** The values of every committed record of a topic, read to the end of each partition, as text. */
  List<String> consumeAll(String topic) throws IOException, InterruptedException {
    String out = run(List.of("kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-X", "isolation.level=read_committed",
        "-q", "-f", "%s\\n"), 60);
    List<String> lines = new ArrayList<>();
    out.lines().filter(l -> !l.isBlank()).forEach(lines::add);
    return lines;
  }

  private static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
    ChildProcess.Result r = ChildProcess.run(new ProcessBuilder(command), timeoutSeconds);
    if (r.code() != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + r.code() + ": " + r.output());
    }
    return r.output();
  }
}
