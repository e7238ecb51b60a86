package io.epochstream.intake;

import io.epochstream.usage.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

/**
 * Follows every {@code *.jsonl} file of a directory (one per rank, as the Python writer makes them),
 * files that appear later included, from their start: each file's complete lines go to the queue in
 * file order. A last line without its newline waits until it is whole, so a line being written is
 * never sent half.
 *
 * <p>Not commons-io's {@code Tailer}: it runs a thread per file (a run of 1 024 ranks is 1 024 files
 * here) and reads a file that shrank as rotated, from its start again — lines sent twice.
 */
public final class FollowedDirectory implements AutoCloseable {
  private final Path dir;
  private final BlockingQueue<SourceLine> out;
  private final Map<Path, Followed> files = new HashMap<>();
  private final Thread thread;
  private volatile boolean closed;

  private static final class Followed {
    long position;
    long lineNumber;
    final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  }

  /** Creates {@code dir} when missing: publish may well start before the training job writes there. */
  public FollowedDirectory(Path dir, BlockingQueue<SourceLine> out) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new UsageException("--follow: " + dir + " is not a directory");
    }
    Files.createDirectories(dir);
    this.dir = dir;
    this.out = out;
    this.thread = new Thread(this::loop, "follow-" + dir.getFileName());
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (!closed) {
        boolean read;
        try {
          read = scan();
        } catch (IOException e) {
          read = false; // a file removed or the directory briefly unreadable: look again
        }
        if (!read) {
          Thread.sleep(100);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads what each file gained; true when any did. */
  private boolean scan() throws IOException, InterruptedException {
    boolean any = false;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.jsonl")) {
      for (Path file : entries) {
        any |= read(file, files.computeIfAbsent(file, f -> new Followed()));
      }
    }
    return any;
  }

  private boolean read(Path file, Followed f) throws IOException, InterruptedException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      if (length <= f.position) {
        return false;
      }
      in.seek(f.position);
      byte[] chunk = new byte[(int) Math.min(length - f.position, 1 << 20)];
      in.readFully(chunk);
      f.position += chunk.length;
      for (byte b : chunk) {
        if (b == '\n') {
          f.lineNumber++;
          out.put(new SourceLine(file.getFileName().toString(), f.lineNumber, f.partial.toString(StandardCharsets.UTF_8)));
          f.partial.reset();
        } else {
          f.partial.write(b);
        }
      }
      return true;
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.interrupt();
    thread.join(5000);
  }
}
