package io.epochstream.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A non-JVM client run as a child process (kcat, python3): its output (stderr merged) read on a
 * thread of its own, so a full pipe never blocks it, and a test that fails, with what it printed,
 * when it outlives its time.
 */
final class ChildProcess {
  record Result(int code, String output) {}

  private ChildProcess() {}

  static Result run(ProcessBuilder builder, int timeoutSeconds) throws IOException, InterruptedException {
    Process p = builder.redirectErrorStream(true).start();
    byte[][] output = new byte[1][];
    Thread reader = new Thread(() -> {
      try {
        output[0] = p.getInputStream().readAllBytes();
      } catch (IOException e) {
        output[0] = new byte[0];
      }
    });
    reader.start();
    boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly();
    }
    reader.join();
    String text = new String(output[0], StandardCharsets.UTF_8);
    if (!finished) {
      throw new AssertionError(String.join(" ", builder.command()) + " did not finish within " + timeoutSeconds + " s; output: " + text);
    }
    return new Result(p.exitValue(), text);
  }
}
