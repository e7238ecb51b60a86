package io.epochstream.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.schema.BestValue;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.MetricValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stage of a run as the page draws it, from its epoch summaries: per closed epoch its scalars
 * and per-class vectors (primitive arrays, by a name index shared by the stage's epochs), and of
 * each confusion matrix and curve metric only the latest epoch, in the form the page shows
 * ({@link ConfusionView}, {@link CurveView}). A summary read again (a replay of an epoch) replaces
 * the one before.
 */
final class StageHistory {
  /** Which metrics are curves: the run line's metric names (TorchMetrics' names). */
  static final String ROC = "roc";
  static final String PRECISION_RECALL = "precision_recall_curve";

  private static final class Epoch {
    boolean complete;
    long lastStep;
    long time;
    double[] scalars = new double[0];
    float[][] vectors = new float[0][];
  }

  private final TreeMap<Integer, Epoch> epochs = new TreeMap<>();
  private final List<String> scalarNames = new ArrayList<>();
  private final List<String> vectorNames = new ArrayList<>();
  private final Map<String, ConfusionView> matrices = new TreeMap<>();
  private final Map<String, CurveView> curves = new TreeMap<>();
  /** The latest summary's best-so-far of the metrics the run tracks. */
  private Map<String, BestValue> tracked = Map.of();
  private int trackedEpoch = Integer.MIN_VALUE;

  /** {@code specs}: the run's metric configuration as known now (empty before its RunStarted is read). */
  void add(EpochSummary s, Map<String, MetricSpec> specs) {
    Epoch e = new Epoch();
    e.complete = s.getComplete();
    e.lastStep = s.getLastStep();
    e.time = s.getLastEventTime();
    for (Map.Entry<String, MetricValue> m : new TreeMap<>(s.getMetrics()).entrySet()) {
      String name = m.getKey();
      List<Integer> shape = m.getValue().getShape();
      List<Double> values = m.getValue().getValues();
      MetricSpec spec = specs.get(name);
      boolean curve = spec != null && isCurve(spec.getMetric());
      if (shape.isEmpty()) {
        e.scalars = set(e.scalars, index(scalarNames, name), values.isEmpty() ? Double.NaN : values.get(0));
      } else if (shape.size() == 1) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = values.get(i).floatValue();
        }
        int at = index(vectorNames, name);
        e.vectors = Arrays.copyOf(e.vectors, Math.max(e.vectors.length, at + 1));
        e.vectors[at] = v;
      } else {
        // Before the run's configuration is read, a square [R, N] may be a matrix or a binary curve
        // (R = N): kept as both, drawn as what the configuration says.
        if (!curve && shape.size() == 2 && shape.get(0).equals(shape.get(1)) && latest(matrices.get(name), s.getEpoch())) {
          matrices.put(name, ConfusionView.of(s.getEpoch(), shape.get(0), values));
        }
        if ((curve || spec == null) && CurveView.fits(shape, curve ? 2 : 3)
            && (curves.get(name) == null || curves.get(name).epoch <= s.getEpoch())) {
          curves.put(name, CurveView.of(s.getEpoch(), shape, values));
        }
      }
    }
    epochs.put(s.getEpoch(), e);
    if (s.getEpoch() >= trackedEpoch) {
      tracked = s.getBest().isEmpty() ? Map.of() : new TreeMap<>(s.getBest());
      trackedEpoch = s.getEpoch();
    }
  }

  static boolean isCurve(String metric) {
    return metric.equals(ROC) || metric.equals(PRECISION_RECALL);
  }

  private static boolean latest(ConfusionView current, int epoch) {
    return current == null || current.epoch <= epoch;
  }

  private static int index(List<String> names, String name) {
    int at = names.indexOf(name);
    if (at < 0) {
      names.add(name);
      at = names.size() - 1;
    }
    return at;
  }

  private static double[] set(double[] values, int at, double v) {
    double[] out = values.length > at ? values : extend(values, at + 1);
    out[at] = v;
    return out;
  }

  private static double[] extend(double[] values, int length) {
    double[] out = Arrays.copyOf(values, length);
    Arrays.fill(out, values.length, length, Double.NaN);
    return out;
  }

  int size() {
    return epochs.size();
  }

  boolean has(int epoch) {
    return epochs.containsKey(epoch);
  }

  List<String> scalarNames() {
    return scalarNames;
  }

  /** The last step of the epoch, or -1 when it is not closed (what the other stages' x on the global step comes from). */
  long lastStep(int epoch) {
    Epoch e = epochs.get(epoch);
    return e == null ? -1 : e.lastStep;
  }

  private double scalar(Epoch e, int at) {
    return at < e.scalars.length ? e.scalars[at] : Double.NaN;
  }

  /** The epoch and value of the latest finite value of a scalar, or null. */
  double[] last(String name) {
    int at = scalarNames.indexOf(name);
    for (Map.Entry<Integer, Epoch> e : epochs.descendingMap().entrySet()) {
      double v = scalar(e.getValue(), at);
      if (at >= 0 && Double.isFinite(v)) {
        return new double[] {e.getKey(), v};
      }
    }
    return null;
  }

  /**
   * The best epoch and value of a scalar: the run's own best-so-far where it tracks the metric,
   * else the lowest or highest value (the first such epoch on a tie); null when it has none.
   */
  double[] best(String name, boolean lower) {
    BestValue t = tracked.get(name);
    if (t != null) {
      return new double[] {t.getEpoch(), t.getValue()};
    }
    int at = scalarNames.indexOf(name);
    double[] best = null;
    for (Map.Entry<Integer, Epoch> e : epochs.entrySet()) {
      double v = at < 0 ? Double.NaN : scalar(e.getValue(), at);
      if (Double.isFinite(v) && (best == null || (lower ? v < best[1] : v > best[1]))) {
        best = new double[] {e.getKey(), v};
      }
    }
    return best;
  }

  /**
   * The page's data: per epoch its number, completeness, global step ({@code trainStep}: the
   * training stage's, where that epoch of training is known) and time, then the scalars, vectors,
   * matrices and curves by name, and the best of each scalar.
   */
  void write(ObjectNode out, StageHistory train, Map<String, MetricSpec> specs, Map<String, String> trackedModes) {
    ArrayNode epoch = out.putArray("epoch");
    ArrayNode complete = out.putArray("complete");
    ArrayNode step = out.putArray("global_step");
    ArrayNode time = out.putArray("time");
    epochs.forEach((n, e) -> {
      epoch.add(n);
      complete.add(e.complete);
      long trainStep = train == null ? -1 : train.lastStep(n);
      step.add(trainStep >= 0 ? trainStep : e.lastStep);
      time.add(e.time);
    });
    ObjectNode scalars = out.putObject("scalars");
    ObjectNode best = out.putObject("best");
    for (int at = 0; at < scalarNames.size(); at++) {
      String name = scalarNames.get(at);
      ArrayNode values = scalars.putArray(name);
      for (Epoch e : epochs.values()) {
        JsonNumbers.add(values, scalar(e, at));
      }
      boolean lower = MetricDirection.lowerIsBetter(name, specs.get(name), trackedModes.get(name));
      double[] b = best(name, lower);
      if (b != null) {
        ObjectNode o = best.putObject(name).put("epoch", (int) b[0]);
        JsonNumbers.put(o, "value", b[1]);
        o.put("lower_is_better", lower);
      }
    }
    ObjectNode vectors = out.putObject("vectors");
    for (int at = 0; at < vectorNames.size(); at++) {
      ArrayNode rows = vectors.putArray(vectorNames.get(at));
      for (Epoch e : epochs.values()) {
        float[] v = at < e.vectors.length ? e.vectors[at] : null;
        if (v == null) {
          rows.addNull();
          continue;
        }
        ArrayNode row = rows.addArray();
        for (float x : v) {
          JsonNumbers.add(row, x);
        }
      }
    }
    ObjectNode m = out.putObject("matrices");
    matrices.forEach((name, view) -> {
      if (specs.get(name) == null || !isCurve(specs.get(name).getMetric())) {
        view.write(m.putObject(name));
      }
    });
    ObjectNode c = out.putObject("curves");
    curves.forEach((name, view) -> {
      MetricSpec spec = specs.get(name);
      if (spec != null && isCurve(spec.getMetric())) {
        view.write(c.putObject(name), spec.getMetric().equals(ROC));
      }
    });
  }
}
