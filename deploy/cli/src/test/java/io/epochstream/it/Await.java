package io.epochstream.it;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Waiting for a condition, the one way the end-to-end tests wait: the probe is asked again every
 * 50 ms until the condition holds, and the deadline fails the test with the last answer. Time
 * passing never decides an outcome; only what was observed does.
 */
final class Await {
  private static final long POLL_MS = 50;

  private Await() {}

  /** The probe's first value {@code done} accepts. */
  static <T> T until(String what, Duration timeout, Callable<T> probe, Predicate<T> done) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      T value = probe.call();
      if (done.test(value)) {
        return value;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not " + what + " within " + timeout + "; last seen: " + value);
      }
      Thread.sleep(POLL_MS);
    }
  }

  static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
    until(what, timeout, condition, Boolean::booleanValue);
  }
}
