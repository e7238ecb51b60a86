package io.epochstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A section's scratch directory (an embedded broker's logs, a stream app's state: hundreds of MB),
 * deleted when the bench's JVM exits, so a bench run leaves nothing behind in the temp directory.
 */
final class BenchDirectory {
  private BenchDirectory() {}

  static Path create(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        delete(dir);
      } catch (IOException | UncheckedIOException e) {
        System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
      }
    }, "bench-cleanup"));
    return dir;
  }

  /** Deletes {@code dir} and everything under it, if it is still there. */
  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
