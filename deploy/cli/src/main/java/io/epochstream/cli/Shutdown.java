package io.epochstream.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGTERM and Ctrl-C for the service commands. The JVM runs shutdown hooks on a signal and exits as
 * soon as they return, so the hook here only asks the command to stop and then waits — up to a
 * grace period shorter than Kubernetes' default 30 s — until the command says it has closed what it
 * holds (producer flushed, Streams state stores flushed and checkpointed). The process then exits
 * with the signal's status, 143 for SIGTERM.
 */
final class Shutdown {
  static final Duration GRACE = Duration.ofSeconds(25);
  private static final AtomicBoolean IN_PROGRESS = new AtomicBoolean();

  private Shutdown() {}

  /** True once a signal started the JVM's shutdown: then {@code System.exit} must not be called. */
  static boolean inProgress() {
    return IN_PROGRESS.get();
  }

  /** Registers a hook that runs {@code stop} on a signal; close it when the command has cleaned up. */
  static Hook register(Runnable stop) {
    return new Hook(stop);
  }

  static final class Hook implements AutoCloseable {
    private final CountDownLatch signalled = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread thread;

    private Hook(Runnable stop) {
      thread = new Thread(() -> {
        IN_PROGRESS.set(true);
        stop.run();
        signalled.countDown();
        try {
          if (!closed.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            System.err.println("epochstream: not closed within " + GRACE.toSeconds() + " s of the signal; exiting anyway");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "epochstream-shutdown");
      Runtime.getRuntime().addShutdownHook(thread);
    }

    /** Whether a signal has asked this command to stop. */
    boolean signalled() {
      return signalled.getCount() == 0;
    }

    /** Blocks until SIGTERM or Ctrl-C. */
    void awaitSignal() throws InterruptedException {
      signalled.await();
    }

    /** Blocks until SIGTERM or Ctrl-C, or until {@code failure} completes (then returns it). */
    <T> T awaitSignalOr(java.util.concurrent.CompletableFuture<T> failure) throws InterruptedException {
      while (!signalled.await(200, TimeUnit.MILLISECONDS)) {
        if (failure.isDone()) {
          return failure.join();
        }
      }
      return null;
    }

    /** The command is done: a waiting hook lets the JVM exit; without a signal, the hook goes away. */
    @Override
    public void close() {
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(thread);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: the countDown above releases it
      }
    }
  }
}
