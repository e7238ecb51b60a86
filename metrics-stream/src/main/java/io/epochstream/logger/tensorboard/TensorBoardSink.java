package io.epochstream.logger.tensorboard;

import io.epochstream.logger.LogPaths;
import io.epochstream.logger.MetricsSink;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.StepMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * TensorBoard scalars per run under {@code <dir>/<run>/}: each epoch metric as
 * {@code <stage>/<metric>} with the epoch as the x-axis; a vector ({@code average: none}) as
 * {@code <stage>/<metric>/<i>}; training step values as {@code train/<name>_step} on the global step. Each logger start writes a new event file that begins with a
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
  public boolean wantsSteps() {
    return true;
  }

  /** Rank 0's training step values, as Lightning logs on_step: {@code train/<name>_step} at the global step. */
  @Override
  public void onStep(StepMetrics step) {
    if (!MetricsSink.loggedOnStep(step)) {
      return;
    }
    try {
      EventFileWriter w = writer(step.getRun(), step.getStep());
      for (Map.Entry<String, Double> e : new java.util.TreeMap<>(step.getValues()).entrySet()) {
        w.scalar("train/" + e.getKey() + "_step", step.getStep(), e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write TensorBoard events for run " + step.getRun(), e);
    }
  }

  /** The run's writer; a new file starts with SessionLog START at its first point's step. */
  private EventFileWriter writer(String run, long firstStep) throws IOException {
    EventFileWriter w = writers.get(run);
    if (w == null) {
      w = new EventFileWriter(LogPaths.runDirectory(root, run), host, "epochstream");
      w.sessionStart(firstStep);
      writers.put(run, w);
    }
    return w;
  }

  @Override
  public void onSummary(EpochSummary s) {
    try {
      EventFileWriter w = writer(s.getRun(), s.getEpoch());
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
