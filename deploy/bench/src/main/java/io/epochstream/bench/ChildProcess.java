package io.epochstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A service the bench runs as an operator does, in a child JVM whose output goes to a log file. */
final class ChildProcess {
  private ChildProcess() {}

  static Process start(List<String> command, Path log) {
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** When the child's log first holds {@code text} (polled), in {@link System#nanoTime()}. */
  static long awaitLine(Path log, String text, Duration wait) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return System.nanoTime();
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the child process did not say '" + text + "' within " + wait + "; see " + log);
  }
}
