package io.epochstream.logger;

import io.epochstream.run.RunId;
import java.nio.file.Path;

/**
 * Where a run's log files go: {@code <root>/<run>}, a hierarchical run id ({@code exp1/lr0.01})
 * as nested directories, as TensorBoard users group runs. Only ids that pass {@link RunId} become
 * paths, and the resolved path is checked again to lie below the root, so no id (a hostile or
 * careless {@code ../../etc}, an absolute path, a control character) writes outside it.
 */
public final class LogPaths {
  private LogPaths() {}

  public static Path runDirectory(Path root, String run) {
    Path base = root.toAbsolutePath().normalize();
    Path dir = base;
    for (String segment : RunId.segments(run)) {
      dir = dir.resolve(segment);
    }
    dir = dir.normalize();
    if (!dir.startsWith(base) || dir.equals(base)) {
      throw new IllegalArgumentException("run id " + RunId.quoted(run) + " would leave " + base);
    }
    return dir;
  }
}
