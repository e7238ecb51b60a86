package io.epochstream.metric;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Random data for a registered example configuration ({@link MetricFamily.Example}), shaped by its
 * TorchMetrics input parameters: {@code task} with {@code num_classes} / {@code num_labels} and
 * {@code ignore_index}; {@code input_format} (segmentation masks, with {@code num_classes}, which
 * the examples always state); or neither (regression, {@code num_outputs}; cosine_similarity, whose
 * TorchMetrics input is a vector per sample without a parameter naming its length, gets rows of 3).
 * Scores sit on a coarse grid so that ties and thresholds occur; a third of the datasets are logits
 * only (never in [0, 1], so every batch is squashed alike); multiclass and multilabel data sometimes
 * have an extra trailing dimension. Classification predictions are always scores (every family takes
 * them; class-index predictions are the stat-score tests' concern). Masks are images [n, 3, 4] or
 * volumes [n, 2, 2, 3] with skewed class frequencies (so a class is often missing from an image):
 * integer class indices, integer 0/1 one-hot (sometimes several classes or none at a pixel) or
 * floating point scores, as the format allows. Half the regression datasets are non-negative (the
 * log errors' domain). Rows can be cut anywhere.
 */
public record ExampleData(int n, double[] preds, int[] predsRow, double[] target, int[] targetRow,
    boolean predsIntegral, boolean targetIntegral) {

  public ExampleData(int n, double[] preds, int[] predsRow, double[] target, int[] targetRow) {
    this(n, preds, predsRow, target, targetRow, false, true);
  }

  public static ExampleData draw(MetricFamily.Example example, Random r, int n) {
    Map<String, Object> p = example.params();
    String task = (String) p.get("task");
    Integer ignore = (Integer) p.get("ignore_index");
    boolean logits = r.nextInt(3) == 0;
    int extra = r.nextInt(4) == 0 ? 2 : 1;
    if (p.containsKey("input_format")) {
      return masks(r, n, (String) p.get("input_format"), (Integer) p.getOrDefault("num_classes", 2 + r.nextInt(3)));
    }
    if (task == null) {
      int outputs = (Integer) p.getOrDefault("num_outputs", example.metric().equals("cosine_similarity") ? 3 : 1);
      int[] row = outputs > 1 ? new int[] {outputs} : new int[0];
      boolean positive = r.nextBoolean();
      return new ExampleData(n, gaussian(r, n * outputs, positive), row, gaussian(r, n * outputs, positive), row);
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

  /**
   * What decides the data {@link #draw} makes for an example: two examples with the same key can
   * read each other's batches.
   */
  public static List<Object> inputKey(MetricFamily.Example e) {
    Map<String, Object> p = e.params();
    return Arrays.asList(p.get("task"), p.get("num_classes"), p.get("num_labels"), p.get("num_outputs"), p.get("ignore_index"),
        p.get("input_format"), e.metric().equals("cosine_similarity"));
  }

  /** Rows [from, to) as one batch. */
  public Batch batch(int from, int to) {
    int pr = preds.length / Math.max(1, n);
    int tr = target.length / Math.max(1, n);
    return new Batch(to - from, null, Arrays.copyOfRange(preds, from * pr, to * pr), shape(to - from, predsRow),
        Arrays.copyOfRange(target, from * tr, to * tr), shape(to - from, targetRow), Map.of(), predsIntegral, targetIntegral);
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

  private static double[] gaussian(Random r, int count, boolean positive) {
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      double x = Math.round(r.nextGaussian() * 100) / 10.0;
      v[i] = positive ? Math.abs(x) : x;
    }
    return v;
  }

  /** Masks of {@code classes} classes in {@code format} (one-hot, index, mixed: which side is one-hot is drawn). */
  private static ExampleData masks(Random r, int n, String format, int classes) {
    int[] spatial = r.nextInt(4) == 0 ? new int[] {2, 2, 3} : new int[] {3, 4};
    int pixels = Arrays.stream(spatial).reduce(1, (a, b) -> a * b);
    boolean predsHot = !format.equals("index") && (format.equals("one-hot") || r.nextBoolean());
    boolean targetHot = format.equals("one-hot") || (format.equals("mixed") && !predsHot);
    boolean scores = r.nextBoolean(); // a one-hot preds side as float scores (argmax'ed) or integer 0/1
    double[] skew = new double[classes];
    for (int c = 0; c < classes; c++) {
      skew[c] = 1.0 / (1 + c * c);
    }
    double[] preds = predsHot ? (scores ? classScores(r, n, classes, pixels) : bits(r, n, classes, pixels, skew))
        : indices(r, n * pixels, skew);
    double[] target = targetHot ? bits(r, n, classes, pixels, skew) : indices(r, n * pixels, skew);
    int[] hotRow = IntStream.concat(IntStream.of(classes), Arrays.stream(spatial)).toArray();
    return new ExampleData(n, preds, predsHot ? hotRow : spatial, target, targetHot ? hotRow : spatial,
        !(predsHot && scores), true);
  }

  private static double[] indices(Random r, int count, double[] skew) {
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      v[i] = pick(r, skew);
    }
    return v;
  }

  private static int pick(Random r, double[] weights) {
    double total = Arrays.stream(weights).sum();
    double u = r.nextDouble() * total;
    for (int c = 0; c < weights.length - 1; c++) {
      u -= weights[c];
      if (u < 0) {
        return c;
      }
    }
    return weights.length - 1;
  }

  /** 0/1 masks [n, C, pixels]: half the datasets one class per pixel, the others independent bits. */
  private static double[] bits(Random r, int n, int classes, int pixels, double[] skew) {
    double[] v = new double[n * classes * pixels];
    boolean exclusive = r.nextBoolean();
    for (int s = 0; s < n; s++) {
      for (int x = 0; x < pixels; x++) {
        int k = pick(r, skew);
        for (int c = 0; c < classes; c++) {
          boolean on = exclusive ? c == k : r.nextDouble() < skew[c] / 2;
          v[(s * classes + c) * pixels + x] = on ? 1 : 0;
        }
      }
    }
    return v;
  }

  private static double[] classScores(Random r, int n, int classes, int pixels) {
    double[] v = new double[n * classes * pixels];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextInt(5) / 4.0;
    }
    return v;
  }
}
