package io.epochstream.logger.tensorboard;

import io.epochstream.logger.LogPaths;
import io.epochstream.logger.MetricsSink;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * TensorBoard scalars per run under {@code <dir>/<run>/}: each epoch metric as
 * {@code <stage>/<metric>} with the epoch as the x-axis; a vector ({@code average: none}) as
 * {@code <stage>/<metric>/<i>}. Each logger start writes a new event file that begins with a
 * SessionLog START at its first epoch, so re-logged epochs replace the old points instead of
 * drawing a second line.
 */
public final class TensorBoardSink implements MetricsSink {
  private final Path root;
  private final String host;
  private final Map<String, EventFileWriter> writers = new HashMap<>();

  public TensorBoardSink(Path root) {
    this.root = root;
    String h;
    try {
      h = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      h = "localhost";
    }
    this.host = h.replaceAll("[^A-Za-z0-9.-]", "_");
  }

  @Override
  public void onSummary(EpochSummary s) {
    try {
      EventFileWriter w = writers.get(s.getRun());
      if (w == null) {
        w = new EventFileWriter(LogPaths.runDirectory(root, s.getRun()), host, "epochstream");
        w.sessionStart(s.getEpoch());
        writers.put(s.getRun(), w);
      }
      for (Map.Entry<String, MetricValue> e : new java.util.TreeMap<>(s.getMetrics()).entrySet()) {
        MetricValue v = e.getValue();
        String tag = s.getStage() + "/" + e.getKey();
        if (v.getShape().isEmpty()) {
          w.scalar(tag, s.getEpoch(), v.getValues().get(0));
        } else if (v.getShape().size() == 1) {
          for (int i = 0; i < v.getValues().size(); i++) {
            w.scalar(tag + "/" + i, s.getEpoch(), v.getValues().get(i));
          }
        }
      }
      w.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write TensorBoard events for run " + s.getRun(), e);
    }
  }

  @Override
  public void close() {
    for (EventFileWriter w : writers.values()) {
      try {
        w.close();
      } catch (IOException ignored) {
        // closing after a flush per summary: nothing is lost
      }
    }
  }
}
