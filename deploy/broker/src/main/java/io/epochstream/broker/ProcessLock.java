package io.epochstream.broker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An OS lock on a file, between processes: the OS drops it when its process dies, even by SIGKILL.
 * Within one JVM a file must have one such lock at most (closing a second channel on a locked file
 * releases the first one's lock on Linux): callers keep track of what their JVM holds.
 */
public final class ProcessLock implements AutoCloseable {
  private final FileLock lock;

  private ProcessLock(FileLock lock) {
    this.lock = lock;
  }

  /** The lock on {@code file} (created if missing), shared or exclusive; null when another process holds it so. */
  public static ProcessLock tryTake(Path file, boolean shared) throws IOException {
    FileChannel channel = shared
        ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)
        : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock = channel.tryLock(0, Long.MAX_VALUE, shared);
      if (lock == null) {
        channel.close();
        return null;
      }
      return new ProcessLock(lock);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      lock.channel().close();
    } catch (IOException ignored) {
      // closing the channel releases the lock in any case
    }
  }
}
