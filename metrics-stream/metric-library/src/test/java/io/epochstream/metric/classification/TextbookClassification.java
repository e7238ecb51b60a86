package io.epochstream.metric.classification;

import io.epochstream.metric.MetricResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A deliberately plain re-computation of the stat-score family for the tests, sharing no code with
 * the library: labels by sorting each sample's scores, a confusion matrix built with nested loops,
 * then textbook precision / recall / F-beta / accuracy and their averages.
 */
final class TextbookClassification {
  private final RandomClassificationData d;
  /** cm[label][target][pred]: one C×C matrix for multiclass, L 2×2 matrices otherwise. */
  final long[][][] cm;
  private final int topK;

  TextbookClassification(RandomClassificationData d) {
    this(d, d.topK());
  }

  /** With {@code topK} = 1 for confusion_matrix, which takes no top_k. */
  TextbookClassification(RandomClassificationData d, int topK) {
    this.d = d;
    this.topK = topK;
    if (d.task().equals("multiclass")) {
      cm = new long[1][d.classes()][d.classes()];
      buildMulticlass();
    } else {
      cm = new long[d.classes()][2][2];
      buildThreshold();
    }
  }

  private void buildMulticlass() {
    int c = d.classes();
    int x = d.extra();
    for (int n = 0; n < d.n(); n++) {
      for (int j = 0; j < x; j++) {
        double t = d.target()[n * x + j];
        if (d.ignoreIndex() != null && t == d.ignoreIndex()) {
          continue;
        }
        int target = (int) t;
        int pred;
        if (!d.scores()) {
          pred = (int) d.preds()[n * x + j];
        } else {
          List<Integer> order = new ArrayList<>();
          for (int k = 0; k < c; k++) {
            order.add(k);
          }
          final int row = n;
          final int col = j;
          // highest score first, ties by lower class index (List.sort is stable)
          order.sort(Comparator.comparingDouble((Integer k) -> -d.preds()[(row * c + k) * x + col]));
          pred = order.subList(0, topK).contains(target) ? target : order.get(0);
        }
        cm[0][target][pred]++;
      }
    }
  }

  private void buildThreshold() {
    boolean logits = false;
    for (double p : d.preds()) {
      logits |= p < 0 || p > 1;
    }
    int labels = d.classes();
    int x = d.extra();
    for (int n = 0; n < d.n(); n++) {
      for (int l = 0; l < labels; l++) {
        for (int j = 0; j < x; j++) {
          int i = (n * labels + l) * x + j;
          double t = d.target()[i];
          if (d.ignoreIndex() != null && t == d.ignoreIndex()) {
            continue;
          }
          double p = logits ? 1 / (1 + Math.exp(-d.preds()[i])) : d.preds()[i];
          cm[l][(int) t][p > d.threshold() ? 1 : 0]++;
        }
      }
    }
  }

  /** Per class (or label): {tp, fp, tn, fn}. */
  long[][] stats() {
    if (d.task().equals("multiclass")) {
      int c = d.classes();
      long total = 0;
      for (long[] row : cm[0]) {
        for (long v : row) {
          total += v;
        }
      }
      long[][] out = new long[c][4];
      for (int k = 0; k < c; k++) {
        long tp = cm[0][k][k];
        long col = 0;
        long row = 0;
        for (int o = 0; o < c; o++) {
          col += cm[0][o][k];
          row += cm[0][k][o];
        }
        out[k] = new long[] {tp, col - tp, total - col - row + tp, row - tp};
      }
      return out;
    }
    long[][] out = new long[cm.length][];
    for (int l = 0; l < cm.length; l++) {
      out[l] = new long[] {cm[l][1][1], cm[l][0][1], cm[l][0][0], cm[l][1][0]};
    }
    return out;
  }

  double score(String metric, String average, double beta, double zeroDivision) {
    long[][] s = stats();
    boolean multiclass = d.task().equals("multiclass");
    if (d.task().equals("binary") || average.equals("micro")) {
      long tp = 0;
      long fp = 0;
      long tn = 0;
      long fn = 0;
      for (long[] r : s) {
        tp += r[0];
        fp += r[1];
        tn += r[2];
        fn += r[3];
      }
      return one(metric, tp, fp, tn, fn, !multiclass, beta, zeroDivision);
    }
    double num = 0;
    double den = 0;
    for (long[] r : s) {
      double w;
      if (average.equals("weighted")) {
        w = r[0] + r[3];
      } else if (!multiclass) {
        w = 1;
      } else if (topK > 1 && !metric.equals("f1_score") && !metric.equals("fbeta_score")) {
        w = r[0] + r[3] > 0 ? 1 : 0;
      } else {
        w = r[0] + r[1] + r[3] > 0 ? 1 : 0;
      }
      num += w * one(metric, r[0], r[1], r[2], r[3], !multiclass, beta, zeroDivision);
      den += w;
    }
    return den == 0 ? 0 : num / den;
  }

  double[] perClass(String metric, double beta, double zeroDivision) {
    long[][] s = stats();
    double[] out = new double[s.length];
    for (int k = 0; k < s.length; k++) {
      out[k] = one(metric, s[k][0], s[k][1], s[k][2], s[k][3], !d.task().equals("multiclass"), beta, zeroDivision);
    }
    return out;
  }

  private static double one(String metric, long tp, long fp, long tn, long fn, boolean negatives, double beta, double zd) {
    double precision = tp + fp == 0 ? zd : (double) tp / (tp + fp);
    double recall = tp + fn == 0 ? zd : (double) tp / (tp + fn);
    return switch (metric) {
      case "accuracy" -> negatives
          ? (tp + tn + fp + fn == 0 ? 0 : (double) (tp + tn) / (tp + tn + fp + fn))
          : (tp + fn == 0 ? 0 : (double) tp / (tp + fn));
      case "precision" -> precision;
      case "recall" -> recall;
      default -> {
        if (tp == 0) {
          yield fp + fn == 0 ? zd : 0;
        }
        double b2 = beta * beta;
        yield (1 + b2) * precision * recall / (b2 * precision + recall);
      }
    };
  }

  MetricResult statScores(String average) {
    long[][] s = stats();
    int k = s.length;
    double[] rows = new double[k * 5];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < 4; j++) {
        rows[i * 5 + j] = s[i][j];
      }
      rows[i * 5 + 4] = s[i][0] + s[i][3];
    }
    if (!d.task().equals("binary") && average.equals("none")) {
      return new MetricResult(new int[] {k, 5}, rows);
    }
    double support = 0;
    for (long[] r : s) {
      support += r[0] + r[3];
    }
    double[] out = new double[5];
    for (int i = 0; i < k; i++) {
      double w = d.task().equals("binary") || average.equals("micro") ? 1
          : average.equals("macro") ? 1.0 / k : (s[i][0] + s[i][3]) / support;
      for (int j = 0; j < 5; j++) {
        out[j] += w * rows[i * 5 + j];
      }
    }
    return new MetricResult(new int[] {5}, out);
  }

  MetricResult confusionMatrix(String normalize) {
    int m = cm.length;
    int k = cm[0].length;
    double[] out = new double[m * k * k];
    for (int l = 0; l < m; l++) {
      double all = 0;
      for (int r = 0; r < k; r++) {
        for (int c = 0; c < k; c++) {
          all += cm[l][r][c];
        }
      }
      for (int r = 0; r < k; r++) {
        for (int c = 0; c < k; c++) {
          double rowSum = 0;
          double colSum = 0;
          for (int o = 0; o < k; o++) {
            rowSum += cm[l][r][o];
            colSum += cm[l][o][c];
          }
          double denom = switch (normalize) {
            case "true" -> rowSum;
            case "pred" -> colSum;
            case "all" -> all;
            default -> 1;
          };
          out[(l * k + r) * k + c] = denom == 0 ? 0 : cm[l][r][c] / denom;
        }
      }
    }
    int[] shape = d.task().equals("multilabel") ? new int[] {m, k, k} : new int[] {k, k};
    return new MetricResult(shape, out);
  }
}
