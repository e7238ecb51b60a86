package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Python 3 that has Debian's {@code python3-torch} and {@code python3-confluent-kafka} (the real
 * tensors and the real Kafka client of the Python tests): the {@code python3} on PATH, else
 * {@code /usr/bin/python3} (a pyenv may shadow Debian's). A test using it is skipped, saying why,
 * where neither has them, and fails instead under {@code CI=true} ({@link io.epochstream.testing.RequiredTool}:
 * {@code .ci/run} installs both, so in CI none of these tests skips).
 */
public final class PythonWithTorch {
  static final Path PACKAGE = Path.of("../../trainer/python").toAbsolutePath();
  private final String executable;

  private PythonWithTorch(String executable) {
    this.executable = executable;
  }

  static PythonWithTorch find() {
    for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
      try {
        Process p = new ProcessBuilder(candidate, "-c", "import torch, numpy, confluent_kafka").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return new PythonWithTorch(candidate);
        }
      } catch (IOException | InterruptedException absent) {
        // try the next one
      }
    }
    missing("no python3 with torch, numpy and confluent_kafka (apt-get install python3-torch python3-confluent-kafka;"
        + " .ci/run installs them)");
    return null;
  }

  /** Skips the calling test, saying why; fails it where the real parts are required (CI). */
  public static void missing(String why) {
    io.epochstream.testing.RequiredTool.require(false, why);
  }

  /** Runs a command in trainer/python with {@code env} added; fails the test on a timeout. */
  ChildProcess.Result run(List<String> args, Map<String, String> env, int timeoutSeconds) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(executable));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(PACKAGE.toFile());
    builder.environment().putAll(env);
    return ChildProcess.run(builder, timeoutSeconds);
  }
}
