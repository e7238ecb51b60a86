package io.epochstream.logger.tensorboard;

import io.epochstream.logger.LogPaths;
import io.epochstream.logger.OnStepLogger;
import io.epochstream.logger.RunCurves;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * TensorBoard scalars per run under {@code <dir>/<run>/}, every point on one x-axis, the global
 * (training) step, as Lightning's TensorBoardLogger logs them: training step values as
 * {@code train/<name>_step} at their step; each epoch metric as {@code <stage>/<metric>} (a
 * vector, {@code average: none}, as {@code <stage>/<metric>/<i>}) at the global step its epoch
 * ended on — for a training epoch its last step, for the other stages the end of the same
 * epoch's training (else the highest training step seen) — with an {@code epoch} scalar beside it.
 * A binned {@code precision_recall_curve} whose thresholds are an integer n (linspace(0, 1, n), what
 * TensorBoard's PR-curve plugin assumes) is written as the plugin's data, {@code <stage>/<metric>}
 * (per class {@code <stage>/<metric>/<class>}): TP, FP, TN, FN and TorchMetrics' precision and
 * recall at each threshold, a 0/0 written as 0 as TensorBoard's own op does (the plugin cuts the tail
 * where nothing is predicted). Other curves (roc, exact or listed thresholds) have no faithful
 * TensorBoard form and are not written; the CSV and JSON-lines loggers have them.
 *
 * <p>A restarted logger reads back what the run's earlier files of this sink hold and writes only
 * points past them, per tag, in a new file: the points a restart delivers again (a group's
 * uncommitted tail, a {@code --from-beginning} rebuild) are not drawn twice. So no file needs a
 * {@code SessionLog START}, whose purge (every point at or after its step, all tags) would hide
 * earlier points the new file does not repeat.
 */
public final class TensorBoardSink implements OnStepLogger {
  private static final String SUFFIX = "epochstream";
  private final Path root;
  private final String host;
  private final Map<String, RunLog> runs = new HashMap<>();
  private final RunCurves curves = new RunCurves();

  /** One run's writer (created with its first new point) and what its files hold. */
  private static final class RunLog {
    final Path dir;
    EventFileWriter writer;
    /** Per tag, the highest step already in the run's files. */
    final Map<String, Long> written = new HashMap<>();
    /** Per epoch, the global step its training ended on. */
    final Map<Integer, Long> epochEnds = new HashMap<>();
    long highestTrainStep = -1;

    RunLog(Path dir) {
      this.dir = dir;
    }
  }

  public TensorBoardSink(Path root) {
    this.root = root;
    String h;
    try {
      h = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      h = "localhost";
    }
    this.host = h.replaceAll("[^A-Za-z0-9-]", "_");
  }

  /** Rank 0's training step values, as Lightning logs on_step: {@code train/<name>_step} at the global step. */
  @Override
  public void onLoggedStep(StepMetrics step) {
    RunLog log = log(step.getRun());
    log.highestTrainStep = Math.max(log.highestTrainStep, step.getStep());
    try {
      for (Map.Entry<String, Double> e : new TreeMap<>(step.getValues()).entrySet()) {
        point(log, "train/" + e.getKey() + "_step", step.getStep(), e.getValue());
      }
      flush(log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write TensorBoard events for run " + step.getRun(), e);
    }
  }

  @Override
  public void onRunStarted(String run, RunStarted config) {
    curves.onRunStarted(run, config);
  }

  @Override
  public void onRunDeleted(String run) {
    curves.forget(run);
  }

  @Override
  public void onSummary(EpochSummary s) {
    RunLog log = log(s.getRun());
    long step;
    if (s.getStage().equals("train")) {
      step = s.getLastStep();
      log.epochEnds.put(s.getEpoch(), step);
      log.highestTrainStep = Math.max(log.highestTrainStep, step);
    } else {
      step = log.epochEnds.getOrDefault(s.getEpoch(), Math.max(0, log.highestTrainStep));
    }
    try {
      point(log, "epoch", step, s.getEpoch());
      for (Map.Entry<String, MetricValue> e : new TreeMap<>(s.getMetrics()).entrySet()) {
        MetricValue v = e.getValue();
        String tag = s.getStage() + "/" + e.getKey();
        RunCurves.Spec curve = curves.spec(s.getRun(), e.getKey());
        if (curve != null) {
          if (curve.kind() == RunCurves.Kind.PRECISION_RECALL && curve.evenThresholds()) {
            prCurves(log, tag, step, RunCurves.curves(v, curve.kind()));
          }
        } else if (v.getShape().isEmpty()) {
          point(log, tag, step, v.getValues().get(0));
        } else if (v.getShape().size() == 1) {
          for (int i = 0; i < v.getValues().size(); i++) {
            point(log, tag + "/" + i, step, v.getValues().get(i));
          }
        }
      }
      flush(log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write TensorBoard events for run " + s.getRun(), e);
    }
  }

  /** Writes a point unless the run's files already hold its tag at this step or a later one. */
  private void point(RunLog log, String tag, long step, double value) throws IOException {
    if (isNew(log, tag, step)) {
      writer(log).scalar(tag, step, value);
      log.written.put(tag, step);
    }
  }

  /**
   * The PR-curve plugin's data for each class's curve (rows precision, recall, threshold, tp, fp,
   * tn, fn; its last point, (1, 0), has no threshold). Skipped when the thresholds are not the
   * linspace the plugin draws them at.
   */
  private void prCurves(RunLog log, String tag, long step, List<RunCurves.Curve> perClass) throws IOException {
    if (perClass == null) {
      return;
    }
    for (RunCurves.Curve c : perClass) {
      String classTag = c.classIndex() == null ? tag : tag + "/" + c.classIndex();
      double[][] rows = c.rows();
      int t = c.points() - 1;
      if (t < 2 || !isNew(log, classTag, step)) {
        continue;
      }
      boolean linspace = true;
      for (int i = 0; i < t; i++) {
        linspace &= Math.abs(rows[2][i] - (double) i / (t - 1)) <= 1e-9;
      }
      if (!linspace) {
        continue;
      }
      float[][] data = new float[6][t];
      for (int i = 0; i < t; i++) {
        data[0][i] = (float) rows[3][i];
        data[1][i] = (float) rows[4][i];
        data[2][i] = (float) rows[5][i];
        data[3][i] = (float) rows[6][i];
        data[4][i] = (float) (Double.isNaN(rows[0][i]) ? 0 : rows[0][i]);
        data[5][i] = (float) (Double.isNaN(rows[1][i]) ? 0 : rows[1][i]);
      }
      writer(log).prCurve(classTag, step, data);
      log.written.put(classTag, step);
    }
  }

  private static boolean isNew(RunLog log, String tag, long step) {
    Long last = log.written.get(tag);
    return last == null || step > last;
  }

  private EventFileWriter writer(RunLog log) throws IOException {
    if (log.writer == null) {
      log.writer = new EventFileWriter(log.dir, host, SUFFIX);
    }
    return log.writer;
  }

  private static void flush(RunLog log) throws IOException {
    if (log.writer != null) {
      log.writer.flush();
    }
  }

  private RunLog log(String run) {
    RunLog log = runs.get(run);
    if (log == null) {
      log = readBack(LogPaths.runDirectory(root, run));
      runs.put(run, log);
    }
    return log;
  }

  /** What earlier files of this sink hold for the run: highest step per tag, epoch ends. */
  private static RunLog readBack(Path dir) {
    RunLog log = new RunLog(dir);
    if (!Files.isDirectory(dir)) {
      return log;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().matches("events\\.out\\.tfevents\\..*\\." + SUFFIX)).sorted().toList()) {
        for (EventFileReader.Point p : EventFileReader.points(file)) {
          log.written.merge(p.tag(), p.step(), Math::max);
          if (p.tag().equals("epoch")) {
            log.epochEnds.merge((int) p.value(), p.step(), Math::max);
          }
          if (p.tag().startsWith("train/")) {
            log.highestTrainStep = Math.max(log.highestTrainStep, p.step());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read back the TensorBoard files in " + dir, e);
    }
    return log;
  }

  @Override
  public void close() {
    for (RunLog log : runs.values()) {
      try {
        if (log.writer != null) {
          log.writer.close();
        }
      } catch (IOException ignored) {
        // closing after a flush per record: nothing is lost
      }
    }
  }
}
