package io.epochstream.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A confusion matrix ({@code [C, C]}, rows the target, columns the prediction) as the page shows it.
 * Up to {@link #MAX_GRID} classes, every cell (a heat map); above, a grid nobody can read and
 * C² numbers to keep, so only what the page shows instead: the {@link #TOP_PAIRS} largest
 * off-diagonal cells (the most-confused pairs) and per class its row total, column total and
 * diagonal (support, predicted, correct) — 3·C numbers instead of C².
 */
final class ConfusionView {
  static final int MAX_GRID = 30;
  static final int TOP_PAIRS = 20;

  final int epoch;
  final int classes;
  private final double[] cells; // row-major, only up to MAX_GRID classes
  private final double[] support;
  private final double[] predicted;
  private final double[] correct;
  private final int[] pairTarget;
  private final int[] pairPredicted;
  private final double[] pairValue;

  private ConfusionView(int epoch, int classes, double[] cells, double[] support, double[] predicted, double[] correct,
      int[] pairTarget, int[] pairPredicted, double[] pairValue) {
    this.epoch = epoch;
    this.classes = classes;
    this.cells = cells;
    this.support = support;
    this.predicted = predicted;
    this.correct = correct;
    this.pairTarget = pairTarget;
    this.pairPredicted = pairPredicted;
    this.pairValue = pairValue;
  }

  /** {@code values}: the C·C cells row-major. */
  static ConfusionView of(int epoch, int classes, List<Double> values) {
    if (classes <= MAX_GRID) {
      double[] cells = new double[classes * classes];
      for (int i = 0; i < cells.length; i++) {
        cells[i] = values.get(i);
      }
      return new ConfusionView(epoch, classes, cells, null, null, null, null, null, null);
    }
    double[] support = new double[classes];
    double[] predicted = new double[classes];
    double[] correct = new double[classes];
    // The largest off-diagonal cells: a min-heap of cell indices, its root the smallest kept.
    PriorityQueue<Integer> top = new PriorityQueue<>(TOP_PAIRS + 1,
        (a, b) -> a.equals(b) ? 0 : values.get(a) < values.get(b) ? -1 : values.get(a) > values.get(b) ? 1 : Integer.compare(b, a));
    for (int t = 0; t < classes; t++) {
      for (int p = 0; p < classes; p++) {
        int i = t * classes + p;
        double v = values.get(i);
        if (!Double.isFinite(v)) {
          continue;
        }
        support[t] += v;
        predicted[p] += v;
        if (t == p) {
          correct[t] = v;
        } else if (v > 0 && (top.size() < TOP_PAIRS || v > values.get(top.peek()))) {
          top.add(i);
          if (top.size() > TOP_PAIRS) {
            top.poll();
          }
        }
      }
    }
    int n = top.size();
    int[] pt = new int[n];
    int[] pp = new int[n];
    double[] pv = new double[n];
    for (int k = n - 1; k >= 0; k--) { // the largest first
      int i = top.poll();
      pt[k] = i / classes;
      pp[k] = i % classes;
      pv[k] = values.get(i);
    }
    return new ConfusionView(epoch, classes, null, support, predicted, correct, pt, pp, pv);
  }

  void write(ObjectNode out) {
    out.put("epoch", epoch).put("classes", classes);
    if (cells != null) {
      ArrayNode rows = out.putArray("cells");
      for (int t = 0; t < classes; t++) {
        ArrayNode row = rows.addArray();
        for (int p = 0; p < classes; p++) {
          JsonNumbers.add(row, cells[t * classes + p]);
        }
      }
      return;
    }
    ArrayNode pairs = out.putArray("pairs");
    for (int k = 0; k < pairValue.length; k++) {
      pairs.addObject().put("target", pairTarget[k]).put("predicted", pairPredicted[k]).put("value", pairValue[k]);
    }
    JsonNumbers.put(out, "support", support);
    JsonNumbers.put(out, "predicted", predicted);
    JsonNumbers.put(out, "correct", correct);
  }
}
