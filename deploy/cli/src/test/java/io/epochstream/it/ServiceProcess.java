package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code epochstream} command in a child JVM on the test class path, as an operator runs it:
 * its output (stdout and stderr) collected, lines awaited, stopped with SIGTERM or SIGKILL.
 */
final class ServiceProcess implements AutoCloseable {
  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final Thread drain;

  private ServiceProcess(Process process) {
    this.process = process;
    this.drain = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          output.append(line).append('\n');
        }
      } catch (IOException ignored) {
        // the child is gone
      }
    }, "child-output");
    drain.setDaemon(true);
    drain.start();
  }

  static ServiceProcess start(String... args) {
    return startWith(List.of(), args);
  }

  /** The command with more jars on its class path (a plugin, as the launcher adds EPOCHSTREAM_PLUGINS). */
  static ServiceProcess startWith(List<Path> extraClasspath, String... args) {
    StringBuilder classpath = new StringBuilder(System.getProperty("java.class.path"));
    extraClasspath.forEach(p -> classpath.append(java.io.File.pathSeparatorChar).append(p));
    return start(classpath.toString(), "io.epochstream.cli.Main", args);
  }

  /** Any main class of the test class path, e.g. one node of a Kafka cluster. */
  static ServiceProcess startMain(String mainClass, String... args) {
    return start(System.getProperty("java.class.path"), mainClass, args);
  }

  /**
   * The java command line of a child JVM running {@code mainClass}. The test's children live for
   * seconds to minutes and are many at once on a small machine: the client compiler only and the
   * serial collector cost about 40 % less CPU than the defaults there (measured on
   * ClusterFailoverTest: 256 → 154 CPU seconds), which a product JVM would not trade.
   */
  static List<String> javaCommand(String classpath, String mainClass, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
        "-cp", classpath, mainClass));
    command.addAll(List.of(args));
    return command;
  }

  /** {@link #javaCommand} of the command line's main class on the test class path. */
  static List<String> cliCommand(String... args) {
    return javaCommand(System.getProperty("java.class.path"), "io.epochstream.cli.Main", args);
  }

  private static ServiceProcess start(String classpath, String mainClass, String... args) {
    List<String> command = javaCommand(classpath, mainClass, args);
    try {
      return new ServiceProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for a line matching {@code regex} and returns its match (groups usable). */
  Matcher await(String regex, Duration timeout) throws InterruptedException {
    Pattern pattern = Pattern.compile(regex);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = pattern.matcher(output);
      if (m.find()) {
        return m;
      }
      if (!process.isAlive()) {
        drain.join(5000); // the child's last lines
        m = pattern.matcher(output);
        if (m.find()) {
          return m;
        }
        throw new AssertionError("child exited (" + process.exitValue() + ") before /" + regex + "/:\n" + output);
      }
      Thread.sleep(50); // a poll interval: the line decides, not the time
    }
    throw new AssertionError("no /" + regex + "/ within " + timeout + ":\n" + output);
  }

  /** Sends SIGTERM and returns the exit status; fails if the child outlives {@code timeout}. */
  int terminate(Duration timeout) throws InterruptedException, IOException {
    // Not Process.destroy(): it sends SIGTERM but also closes our end of the child's output, so the
    // child's last words during its shutdown would be lost.
    new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).inheritIO().start().waitFor();
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .as("exited within %s of SIGTERM:\n%s", timeout, output).isTrue();
    drain.join(5000); // its last lines
    return process.exitValue();
  }

  /** Waits for the child to exit by itself and returns its exit status; fails if it outlives {@code timeout}. */
  int waitFor(Duration timeout) throws InterruptedException {
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("exited within %s:\n%s", timeout, output).isTrue();
    drain.join(5000); // its last lines
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook runs. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  String output() {
    return output.toString();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
