package io.epochstream.logger;

import java.nio.file.Path;

/**
 * A run id becomes a directory name only after this check: a hostile or careless id ("../../etc",
 * "a/b", a control character) must not write outside the log directory.
 */
public final class LogPaths {
  private LogPaths() {}

  public static Path runDirectory(Path root, String run) {
    if (run.isEmpty() || run.equals(".") || run.equals("..") || run.length() > 200) {
      throw new IllegalArgumentException("run id '" + run + "' cannot be a directory name");
    }
    for (int i = 0; i < run.length(); i++) {
      char c = run.charAt(i);
      if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f || c == ':' && i == 1) {
        throw new IllegalArgumentException("run id " + printable(run) + " contains a path separator or control character;"
            + " refusing to use it as a directory name");
      }
    }
    Path base = root.toAbsolutePath().normalize();
    Path dir = base.resolve(run).normalize();
    if (!dir.getParent().equals(base)) {
      throw new IllegalArgumentException("run id '" + run + "' would leave " + base);
    }
    return dir;
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toCharArray()) {
      b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return b.append('\'').toString();
  }
}
