package io.epochstream.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * A test that needs a tool from outside Maven (kcat, chromium, python3, Debian's python3-torch):
 * without it the test is skipped with the reason, which the test command lists at its end — except
 * under {@code CI=true}, where {@code .ci/run} installs every such tool, so a missing one fails the
 * test instead of hiding what it checks.
 */
public final class RequiredTool {
  private RequiredTool() {}

  /** Skips (or under CI=true fails) unless {@code present}; {@code reason} names the tool and how to install it. */
  public static void require(boolean present, String reason) {
    if (present) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(reason + " (CI=true: .ci/run installs it, so its absence fails the test)");
    }
    Assumptions.abort(reason);
  }

  /** Whether {@code command} runs and exits 0 (e.g. {@code python3 --version}). */
  public static boolean runs(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether an executable {@code name} is on the PATH. */
  public static boolean onPath(String name) {
    String path = System.getenv("PATH");
    return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
        .anyMatch(dir -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, name)));
  }
}
