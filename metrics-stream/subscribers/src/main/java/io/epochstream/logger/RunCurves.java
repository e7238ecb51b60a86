package io.epochstream.logger;

import io.epochstream.event.ParamValueException;
import io.epochstream.event.ParamValues;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunStarted;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which metrics of each run are curves, from the run's {@code RunStarted} (a curve's value alone
 * cannot be told from a matrix of the same shape): {@code roc} and {@code precision_recall_curve},
 * whose summary values are [R, N] (binary) or [C, R, N], one curve per class, rows in TorchMetrics'
 * order, padded with NaN at the end. A logger that never saw a run's start (started after it, without
 * {@code --from-beginning}) knows none of its curves.
 */
public final class RunCurves {
  /** A curve metric: its kind, and whether its thresholds are linspace(0, 1, n) (an integer). */
  public record Spec(Kind kind, boolean evenThresholds) {}

  public enum Kind {
    ROC(List.of("fpr", "tpr", "threshold")),
    PRECISION_RECALL(List.of("precision", "recall", "threshold", "tp", "fp", "tn", "fn"));

    private final List<String> rows;

    Kind(List<String> rows) {
      this.rows = rows;
    }

    /** The names of the value's rows, in order. */
    public List<String> rows() {
      return rows;
    }
  }

  /** One class's curve: {@code rows[r][point]}, the padding (points NaN in every row) cut off. */
  public record Curve(Integer classIndex, double[][] rows) {
    public int points() {
      return rows.length == 0 ? 0 : rows[0].length;
    }
  }

  private final Map<String, Map<String, Spec>> runs = new HashMap<>();

  public void onRunStarted(String run, RunStarted config) {
    Map<String, Spec> curves = new HashMap<>();
    for (Map.Entry<String, MetricSpec> e : config.getMetrics().entrySet()) {
      Kind kind = switch (e.getValue().getMetric()) {
        case "roc" -> Kind.ROC;
        case "precision_recall_curve" -> Kind.PRECISION_RECALL;
        default -> null;
      };
      if (kind != null) {
        curves.put(e.getKey(), new Spec(kind, binned(e.getValue())));
      }
    }
    runs.put(run, curves);
  }

  /** thresholds=N bins the curve; a list or none keeps it exact (an unreadable value: the stream app refuses the run). */
  private static boolean binned(MetricSpec spec) {
    Object thresholds = spec.getParams().get("thresholds");
    try {
      return thresholds != null && ParamValues.json("thresholds", thresholds).isIntegralNumber();
    } catch (ParamValueException e) {
      return false;
    }
  }

  public void forget(String run) {
    runs.remove(run);
  }

  /** The curve spec of a run's metric, or null when it is not a curve (or the run's start is unknown). */
  public Spec spec(String run, String metric) {
    Map<String, Spec> curves = runs.get(run);
    return curves == null ? null : curves.get(metric);
  }

  /** The value's curves, one per class (binary: one, class null); null when the shape is not a curve's. */
  public static List<Curve> curves(MetricValue v, Kind kind) {
    List<Integer> shape = v.getShape();
    int r = kind.rows().size();
    if (!(shape.size() == 2 || shape.size() == 3) || shape.get(shape.size() - 2) != r) {
      return null;
    }
    int classes = shape.size() == 3 ? shape.get(0) : 1;
    int n = shape.get(shape.size() - 1);
    List<Curve> out = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      int points = n;
      while (points > 0 && allNaN(v.getValues(), (c * r) * n, r, n, points - 1)) {
        points--;
      }
      double[][] rows = new double[r][points];
      for (int row = 0; row < r; row++) {
        for (int p = 0; p < points; p++) {
          rows[row][p] = v.getValues().get((c * r + row) * n + p);
        }
      }
      out.add(new Curve(shape.size() == 3 ? c : null, rows));
    }
    return out;
  }

  private static boolean allNaN(List<Double> values, int base, int rows, int n, int point) {
    for (int row = 0; row < rows; row++) {
      if (!values.get(base + row * n + point).isNaN()) {
        return false;
      }
    }
    return true;
  }
}
