package io.epochstream.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * One broker per data directory, across processes: an OS lock on {@value #FILE} in the directory,
 * held while the broker runs and released by the OS when its process dies, even by SIGKILL. Taken
 * before the broker looks at its ports, so two processes starting on one directory at once never
 * both start a broker there.
 */
final class DirectoryLock implements AutoCloseable {
  static final String FILE = "broker.lock";
  // A second channel on a file this JVM has locked must not even be opened: on Linux, closing it
  // would release the lock the first channel holds.
  private static final Set<Path> HELD_HERE = new HashSet<>();

  private final Path dir;
  private final ProcessLock lock;
  private boolean released;

  private DirectoryLock(Path dir, ProcessLock lock) {
    this.dir = dir;
    this.lock = lock;
  }

  /** The directory's lock, or null when another broker (in this process or another) holds it. */
  static DirectoryLock tryAcquire(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path dir = dataDir.toRealPath();
    synchronized (HELD_HERE) {
      if (HELD_HERE.contains(dir)) {
        return null;
      }
      ProcessLock lock = ProcessLock.tryTake(dir.resolve(FILE), false);
      if (lock == null) {
        return null;
      }
      HELD_HERE.add(dir);
      return new DirectoryLock(dir, lock);
    }
  }

  @Override
  public void close() {
    synchronized (HELD_HERE) {
      if (released) {
        return;
      }
      released = true;
      lock.close();
      HELD_HERE.remove(dir);
    }
  }
}
