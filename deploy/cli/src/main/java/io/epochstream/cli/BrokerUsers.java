package io.epochstream.cli;

import io.epochstream.broker.ProcessLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The commands using a broker that another process started on their data directory: each holds a
 * shared OS lock on {@value #NAME} while it does, so the process that runs the broker stops it only
 * once they have finished (it takes the lock exclusively) — a short command that started the broker
 * does not pull it from under one that came to it. The OS drops a killed user's lock.
 */
final class BrokerUsers {
  static final String NAME = "broker.users";
  // One shared lock per directory per JVM, counted: a second channel on a file this JVM has locked
  // must not be opened, since closing it would release the lock on Linux.
  private static final Map<Path, Held> HERE = new HashMap<>();

  private BrokerUsers() {}

  /** This process uses the directory's broker until the handle closes. */
  static final class Use implements KafkaConnection.Held {
    private final Path dir;
    private boolean closed;

    private Use(Path dir) {
      this.dir = dir;
    }

    @Override
    public void close() {
      synchronized (HERE) {
        if (closed) {
          return;
        }
        closed = true;
        Held held = HERE.get(dir);
        if (--held.count == 0) {
          HERE.remove(dir);
          held.lock.close();
        }
      }
    }
  }

  /** This JVM's shared lock on a directory's users file, and how many of its commands use the broker. */
  private static final class Held {
    final ProcessLock lock;
    int count;

    Held(ProcessLock lock) {
      this.lock = lock;
    }
  }

  /**
   * Registers a use of the directory's broker, or null while its owner is stopping it (it holds the
   * lock exclusively): then it is not there to use. Take it before reading the broker file, so the
   * owner, who withdraws the file before taking the lock, either waits for this use or is seen gone.
   */
  static Use use(Path dataDir) throws IOException {
    Path dir = directory(dataDir);
    synchronized (HERE) {
      Held held = HERE.get(dir);
      if (held == null) {
        ProcessLock lock = ProcessLock.tryTake(dir.resolve(NAME), true);
        if (lock == null) {
          return null;
        }
        held = new Held(lock);
        HERE.put(dir, held);
      }
      held.count++;
      return new Use(dir);
    }
  }

  /**
   * Waits until no other process uses the directory's broker, at most {@code timeout}; says so once
   * when it has to wait. False when users remain.
   */
  static boolean awaitNone(Path dataDir, Duration timeout) throws IOException, InterruptedException {
    Path dir = directory(dataDir);
    synchronized (HERE) {
      if (HERE.containsKey(dir)) {
        return false; // this JVM uses it itself (tests running commands in-process): no lock to take
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean told = false;
    while (true) {
      ProcessLock exclusive = ProcessLock.tryTake(dir.resolve(NAME), false);
      if (exclusive != null) {
        exclusive.close();
        return true;
      }
      if (System.nanoTime() > deadline) {
        System.err.println("epochstream: stopping the broker in " + dataDir + " with commands still using it");
        return false;
      }
      if (!told) {
        System.err.println("epochstream: other commands use the broker in " + dataDir + "; it stops when they finish (at most "
            + timeout.toSeconds() + " s)");
        told = true;
      }
      Thread.sleep(100);
    }
  }

  private static Path directory(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    return dataDir.toRealPath();
  }
}
