package io.epochstream.broker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
  private final FileChannel channel;
  private final FileLock lock;
  private boolean released;

  private DirectoryLock(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
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
      FileChannel channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      if (lock == null) {
        channel.close();
        return null;
      }
      HELD_HERE.add(dir);
      return new DirectoryLock(dir, channel, lock);
    }
  }

  @Override
  public void close() {
    synchronized (HELD_HERE) {
      if (released) {
        return;
      }
      released = true;
      try {
        lock.release();
        channel.close();
      } catch (IOException ignored) {
        // closing the channel releases the lock in any case
      } finally {
        HELD_HERE.remove(dir);
      }
    }
  }
}
