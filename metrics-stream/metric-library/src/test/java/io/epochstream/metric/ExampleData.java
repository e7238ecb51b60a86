package io.epochstream.metric;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Random data for a registered example configuration ({@link MetricFamily.Example}), shaped by its
 * TorchMetrics input parameters: {@code task} with {@code num_classes} / {@code num_labels} and
 * {@code ignore_index}, or no task (regression, {@code num_outputs}). Scores sit on a coarse grid so
 * that ties and thresholds occur; a third of the datasets are logits only (never in [0, 1], so every
 * batch is squashed alike); multiclass and multilabel data sometimes have an extra trailing
 * dimension. Predictions are always scores (every family takes them; class-index predictions are
 * the stat-score tests' concern). Rows can be cut anywhere.
 */
public record ExampleData(int n, double[] preds, int[] predsRow, double[] target, int[] targetRow) {

  public static ExampleData draw(MetricFamily.Example example, Random r, int n) {
    Map<String, Object> p = example.params();
    String task = (String) p.get("task");
    Integer ignore = (Integer) p.get("ignore_index");
    boolean logits = r.nextInt(3) == 0;
    int extra = r.nextInt(4) == 0 ? 2 : 1;
    if (task == null) {
      int outputs = (Integer) p.getOrDefault("num_outputs", 1);
      int[] row = outputs > 1 ? new int[] {outputs} : new int[0];
      return new ExampleData(n, gaussian(r, n * outputs), row, gaussian(r, n * outputs), row);
    }
    switch (task) {
      case "binary" -> {
        return new ExampleData(n, scores(r, n, logits), new int[0], classes(r, n, 2, ignore), new int[0]);
      }
      case "multiclass" -> {
        int c = (Integer) p.get("num_classes");
        int[] targetRow = extra > 1 ? new int[] {extra} : new int[0];
        double[] target = classes(r, n * extra, c, ignore);
        int[] predsRow = extra > 1 ? new int[] {c, extra} : new int[] {c};
        return new ExampleData(n, scores(r, n * c * extra, logits), predsRow, target, targetRow);
      }
      case "multilabel" -> {
        int l = (Integer) p.get("num_labels");
        int[] row = extra > 1 ? new int[] {l, extra} : new int[] {l};
        return new ExampleData(n, scores(r, n * l * extra, logits), row, classes(r, n * l * extra, 2, ignore), row);
      }
      default -> throw new IllegalArgumentException("no data for task " + task + " of " + example);
    }
  }

  /** Rows [from, to) as one batch. */
  public Batch batch(int from, int to) {
    int pr = preds.length / Math.max(1, n);
    int tr = target.length / Math.max(1, n);
    return new Batch(to - from, null, Arrays.copyOfRange(preds, from * pr, to * pr), shape(to - from, predsRow),
        Arrays.copyOfRange(target, from * tr, to * tr), shape(to - from, targetRow), Map.of());
  }

  public Batch all() {
    return batch(0, n);
  }

  private static int[] shape(int rows, int[] row) {
    return IntStream.concat(IntStream.of(rows), Arrays.stream(row)).toArray();
  }

  private static double[] scores(Random r, int count, boolean logits) {
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      v[i] = logits ? (r.nextInt(8) - 4) * 1.5 - 0.25 : r.nextInt(9) / 8.0;
    }
    return v;
  }

  private static double[] classes(Random r, int count, int classes, Integer ignore) {
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      v[i] = ignore != null && r.nextInt(8) == 0 ? ignore : r.nextInt(classes);
    }
    return v;
  }

  private static double[] gaussian(Random r, int count) {
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      v[i] = Math.round(r.nextGaussian() * 100) / 10.0;
    }
    return v;
  }
}
