package io.epochstream.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A metric's latest curves ({@code roc}, {@code precision_recall_curve}) as the page draws them. The
 * summary value is {@code [R, N]} (binary) or {@code [C, R, N]} (one curve per class, class-major),
 * rows in TorchMetrics' order — roc: fpr, tpr, thresholds; precision_recall_curve: precision,
 * recall, thresholds, then whatever rows the producer adds — rows shorter than N padded with NaN at
 * the end; only rows 0 and 1 are drawn, and of them only the points where both are numbers.
 *
 * <p>Which of the two rows is x depends on the metric, which the board may learn after the value
 * (the runs and summaries topics are read side by side), so both readings are kept: up to
 * {@link #SHOWN} top and bottom classes by the area under each, at most {@link #MAX_POINTS} points
 * a curve. The page draws every class of a small head and the top and bottom ones of a large one.
 */
final class CurveView {
  static final int MAX_POINTS = 200;
  static final int SHOWN = 5;

  /** One class's curve: rows 0 and 1, thinned, and the area under each reading of the full curve. */
  private record Curve(int label, float[] row0, float[] row1, double area1over0, double area0over1) {}

  final int epoch;
  /** 0 for a binary curve. */
  final int classes;
  private final List<Curve> kept;

  private CurveView(int epoch, int classes, List<Curve> kept) {
    this.epoch = epoch;
    this.classes = classes;
    this.kept = kept;
  }

  /** Whether a value of this shape can hold curves: rank 2 or 3, with at least {@code minRows} rows. */
  static boolean fits(List<Integer> shape, int minRows) {
    return (shape.size() == 2 && shape.get(0) >= minRows) || (shape.size() == 3 && shape.get(1) >= minRows);
  }

  static CurveView of(int epoch, List<Integer> shape, List<Double> values) {
    boolean binary = shape.size() == 2;
    int classes = binary ? 1 : shape.get(0);
    int rows = shape.get(binary ? 0 : 1);
    int n = shape.get(binary ? 1 : 2);
    List<Curve> all = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      int at = c * rows * n;
      all.add(curve(binary ? -1 : c, values, at, at + n, n));
    }
    if (classes <= 2 * SHOWN) {
      return new CurveView(epoch, binary ? 0 : classes, all);
    }
    Set<Curve> kept = new LinkedHashSet<>();
    kept.addAll(extremes(all, Curve::area1over0));
    kept.addAll(extremes(all, Curve::area0over1));
    return new CurveView(epoch, classes, new ArrayList<>(kept));
  }

  private static Curve curve(int label, List<Double> values, int row0, int row1, int n) {
    // Only points whose x and y are both numbers: a row's NaN padding at the end, and NaN inside a
    // curve (a binned precision where nothing was predicted at that threshold).
    int[] kept = new int[n];
    int length = 0;
    for (int i = 0; i < n; i++) {
      if (Double.isFinite(values.get(row0 + i)) && Double.isFinite(values.get(row1 + i))) {
        kept[length++] = i;
      }
    }
    double area10 = 0;
    double area01 = 0;
    for (int k = 1; k < length; k++) {
      double x0 = values.get(row0 + kept[k - 1]), x1 = values.get(row0 + kept[k]);
      double y0 = values.get(row1 + kept[k - 1]), y1 = values.get(row1 + kept[k]);
      area10 += (x1 - x0) * (y0 + y1) / 2;
      area01 += (y1 - y0) * (x0 + x1) / 2;
    }
    // Evenly thinned, the last point kept: a curve ends where its thresholds end.
    int stride = length <= MAX_POINTS ? 1 : (length - 1 + MAX_POINTS - 2) / (MAX_POINTS - 1);
    int points = length == 0 ? 0 : (length - 1 + stride - 1) / stride + 1;
    float[] r0 = new float[points];
    float[] r1 = new float[points];
    for (int k = 0; k < points; k++) {
      int i = kept[Math.min(length - 1, k * stride)];
      r0[k] = values.get(row0 + i).floatValue();
      r1[k] = values.get(row1 + i).floatValue();
    }
    return new Curve(label, r0, r1, length < 2 ? Double.NaN : Math.abs(area10), length < 2 ? Double.NaN : Math.abs(area01));
  }

  /** The {@link #SHOWN} largest and smallest by {@code area}, largest first; classes without one are left out. */
  private static List<Curve> extremes(List<Curve> curves, java.util.function.ToDoubleFunction<Curve> area) {
    List<Curve> ranked = new ArrayList<>(curves.stream().filter(c -> !Double.isNaN(area.applyAsDouble(c))).toList());
    ranked.sort(Comparator.comparingDouble(area).reversed().thenComparingInt(Curve::label));
    if (ranked.size() <= 2 * SHOWN) {
      return ranked;
    }
    List<Curve> out = new ArrayList<>(ranked.subList(0, SHOWN));
    out.addAll(ranked.subList(ranked.size() - SHOWN, ranked.size()));
    return out;
  }

  /** {@code roc}: x = row 0 (fpr), y = row 1 (tpr); otherwise (precision-recall) x = row 1 (recall), y = row 0 (precision). */
  void write(ObjectNode out, boolean roc) {
    out.put("epoch", epoch).put("classes", classes).put("kind", roc ? "roc" : "pr");
    java.util.function.ToDoubleFunction<Curve> area = roc ? Curve::area1over0 : Curve::area0over1;
    List<Curve> shown = classes <= 2 * SHOWN ? kept : extremes(kept, area);
    ArrayNode curves = out.putArray("curves");
    for (int k = 0; k < shown.size(); k++) {
      Curve c = shown.get(k);
      ObjectNode o = curves.addObject();
      if (c.label() >= 0) {
        o.put("class", c.label());
      } else {
        o.putNull("class");
      }
      if (classes > 2 * SHOWN && shown.size() == 2 * SHOWN) {
        o.put("rank", k < SHOWN ? "top" : "bottom");
      }
      JsonNumbers.put(o, "area", area.applyAsDouble(c));
      ArrayNode x = o.putArray("x");
      ArrayNode y = o.putArray("y");
      float[] xs = roc ? c.row0() : c.row1();
      float[] ys = roc ? c.row1() : c.row0();
      for (int i = 0; i < xs.length; i++) {
        JsonNumbers.add(x, xs[i]);
        JsonNumbers.add(y, ys[i]);
      }
    }
  }
}
