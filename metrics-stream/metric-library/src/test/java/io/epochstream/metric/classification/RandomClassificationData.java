package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random classification data for the tests: a task configuration (TorchMetrics parameter names)
 * and one dataset, laid out as the Batch contract says, that can be cut into batches anywhere.
 * Scores are coarse (few distinct values) so ties and the threshold itself occur often.
 */
record RandomClassificationData(String task, int classes, int extra, Integer ignoreIndex, int topK, double threshold,
    boolean scores, int n, double[] preds, double[] target) {

  static RandomClassificationData generate(Random r, String task) {
    int classes = 2 + r.nextInt(5);
    int extra = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 1;
    int n = r.nextInt(40);
    Integer ignore = switch (r.nextInt(4)) {
      case 0 -> -1;
      case 1 -> task.equals("multiclass") ? r.nextInt(classes) : null;
      default -> null;
    };
    double threshold = r.nextBoolean() ? 0.5 : r.nextInt(5) / 4.0;
    boolean logits = r.nextInt(3) == 0;
    boolean scores = !task.equals("multiclass") || r.nextInt(3) != 0;
    int topK = task.equals("multiclass") && scores && r.nextBoolean() ? 1 + r.nextInt(classes) : 1;
    int perRow = switch (task) {
      case "binary" -> extra;
      case "multilabel" -> classes * extra;
      default -> extra;
    };
    double[] target = new double[n * perRow];
    for (int i = 0; i < target.length; i++) {
      boolean ignored = ignore != null && r.nextInt(6) == 0;
      target[i] = ignored ? ignore : r.nextInt(task.equals("multiclass") ? classes : 2);
    }
    int predsPerRow = task.equals("multiclass") && scores ? classes * extra : perRow;
    double[] preds = new double[n * predsPerRow];
    for (int i = 0; i < preds.length; i++) {
      if (task.equals("multiclass") && !scores) {
        preds[i] = r.nextInt(classes);
      } else {
        // logits never fall in [0, 1], so every batch of a logit dataset is squashed alike
        preds[i] = logits ? (r.nextInt(8) - 4) * 1.5 - 0.25 : r.nextInt(9) / 8.0;
      }
    }
    return new RandomClassificationData(task, task.equals("binary") ? 1 : classes, extra, ignore, topK, threshold,
        scores, n, preds, target);
  }

  /** The parameters for metric {@code metric} with {@code average} (ignored for binary). */
  Map<String, Object> params(String metric, String average) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("task", task);
    switch (task) {
      case "multiclass" -> {
        p.put("num_classes", classes);
        if (!metric.equals("confusion_matrix") && topK != 1) {
          p.put("top_k", topK);
        }
      }
      case "multilabel" -> {
        p.put("num_labels", classes);
        p.put("threshold", threshold);
      }
      default -> p.put("threshold", threshold);
    }
    if (ignoreIndex != null) {
      p.put("ignore_index", ignoreIndex);
    }
    if (!task.equals("binary") && !metric.equals("confusion_matrix") && average != null) {
      p.put("average", average);
    }
    return p;
  }

  int[] predsShape(int rows) {
    List<Integer> s = new ArrayList<>(List.of(rows));
    if (task.equals("multilabel") || (task.equals("multiclass") && scores)) {
      s.add(classes);
    }
    if (extra > 1) {
      s.add(extra);
    }
    return s.stream().mapToInt(Integer::intValue).toArray();
  }

  int[] targetShape(int rows) {
    List<Integer> s = new ArrayList<>(List.of(rows));
    if (task.equals("multilabel")) {
      s.add(classes);
    }
    if (extra > 1) {
      s.add(extra);
    }
    return s.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Rows [from, to) as one batch. */
  Batch batch(int from, int to) {
    int pr = n == 0 ? 0 : preds.length / n;
    int tr = n == 0 ? 0 : target.length / n;
    double[] p = java.util.Arrays.copyOfRange(preds, from * pr, to * pr);
    double[] t = java.util.Arrays.copyOfRange(target, from * tr, to * tr);
    return new Batch(to - from, null, p, predsShape(to - from), t, targetShape(to - from), Map.of());
  }

  /** All rows as one batch. */
  Batch all() {
    return batch(0, n);
  }
}
