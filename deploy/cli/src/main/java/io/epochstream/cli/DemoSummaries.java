package io.epochstream.cli;

import io.epochstream.logger.MetricsSink;
import io.epochstream.logger.SummarySubscriber;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's logging of its own run: hands every summary of the run to the sinks from a background
 * thread while the ranks train, and tells whether all the summaries the run should produce — one per
 * (epoch, stage) trained — arrived.
 */
final class DemoSummaries {
  private final SummarySubscriber subscriber;
  private final int stages;
  // Every epoch's summaries; fewer when the run stops early (set once training ends).
  private final AtomicInteger expected;
  private final AtomicInteger seen = new AtomicInteger();
  private final CompletableFuture<Boolean> logged;

  DemoSummaries(SummarySubscriber subscriber, MetricsSink sinks, String run, int epochs, int stages) {
    this.subscriber = subscriber;
    this.stages = stages;
    this.expected = new AtomicInteger(epochs * stages);
    this.logged = CompletableFuture.supplyAsync(() -> subscriber.run(
        s -> s.getRun().equals(run), sinks,
        s -> seen.incrementAndGet() >= expected.get(), Instant.MAX));
  }

  /** The run trained this many epochs (fewer than configured when it stopped early). */
  void trained(int epochs) {
    expected.set(epochs * stages);
  }

  /** Waits up to {@code timeout} for every expected summary; true when all arrived. */
  boolean awaitAll(Duration timeout) throws Exception {
    try {
      Instant deadline = Instant.now().plus(timeout);
      while (!logged.isDone() && seen.get() < expected.get() && Instant.now().isBefore(deadline)) {
        Thread.sleep(20);
      }
      if (!logged.isDone()) {
        subscriber.stop(); // stopped early: the last expected summary came before the count changed
      }
      return seen.get() >= expected.get() && logged.get(5, TimeUnit.SECONDS) != null;
    } catch (TimeoutException e) {
      subscriber.stop();
      return false;
    }
  }

  int seen() {
    return seen.get();
  }

  int expected() {
    return expected.get();
  }
}
