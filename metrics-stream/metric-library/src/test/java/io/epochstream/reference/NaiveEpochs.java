package io.epochstream.reference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deliberately naive reference for what the summaries of some sent events must be, sharing no
 * code with the product: an epoch's accepted batches of all ranks are concatenated, and every
 * value is computed from the concatenation with the textbook formula — counts of argmax hits,
 * tp / fp / fn per class, a trapezoid over per-threshold rates, Mann–Whitney for the exact AUROC.
 * Its rules are the product's stated ones, written from the documentation, not the code: a step
 * of an unknown run, of a rank outside the world size, of an epoch its rank ended or moved past,
 * repeating a step number, or with a class index out of range counts for nothing; a rank ends an
 * epoch with its epoch end or with its first event of a later epoch; an epoch closes when every
 * rank ended it. {@link NaiveEpochsTest} checks it against figures TorchMetrics itself computed.
 *
 * <p>Supported: multiclass accuracy, precision, recall, f1_score (average micro, macro, weighted,
 * none; top_k 1), auroc (binned or exact; macro, weighted, none), confusion_matrix (unnormalised),
 * mean_absolute_error, mean_squared_error, the loss and scalars (mean, sum, max, min). Anything else
 * fails loudly rather than guess.
 */
public final class NaiveEpochs {
  /** Relative (and absolute, near zero) tolerance for metric values: sums in another order differ in the last bits. */
  public static final double TOLERANCE = 1e-9;

  private NaiveEpochs() {}

  private record EpochKey(String run, String stage, int epoch) {}

  private record RankKey(String run, String stage, int rank) {}

  /** Where a rank of a stage stands: its open epoch and the latest it ended (-1: none). */
  private static final class Progress {
    int open = -1;
    int ended = -1;
  }

  private static final class RankEpoch {
    final Set<Long> steps = new HashSet<>();
    final List<Sent.Step> accepted = new ArrayList<>();
    boolean ended;
  }

  /** The expected summaries of the epochs that close, in closing order. */
  public static List<ExpectedEpoch> of(List<? extends Sent> sent) {
    Map<String, Sent.Run> runs = new HashMap<>();
    Map<EpochKey, TreeMap<Integer, RankEpoch>> open = new LinkedHashMap<>();
    Map<RankKey, Progress> progress = new HashMap<>();
    Set<EpochKey> closed = new HashSet<>();
    List<ExpectedEpoch> out = new ArrayList<>();
    for (Sent s : sent) {
      if (s instanceof Sent.Run r) {
        runs.put(r.run(), r);
        continue;
      }
      Sent.Run run = runs.get(s.run());
      EpochKey key = s instanceof Sent.Step st ? new EpochKey(st.run(), st.stage(), st.epoch())
          : new EpochKey(s.run(), ((Sent.End) s).stage(), ((Sent.End) s).epoch());
      int rank = s instanceof Sent.Step st ? st.rank() : ((Sent.End) s).rank();
      if (run == null || rank < 0 || rank >= run.worldSize() || closed.contains(key)) {
        continue;
      }
      Progress p = progress.computeIfAbsent(new RankKey(key.run(), key.stage(), rank), k -> new Progress());
      if (key.epoch() <= p.ended || p.open >= 0 && key.epoch() < p.open) {
        continue; // the rank ended this epoch, or moved past it
      }
      if (p.open >= 0 && key.epoch() > p.open) {
        // its first event of a later epoch: the rank has ended the open one
        end(run, new EpochKey(key.run(), key.stage(), p.open), rank, open, closed, out);
        p.ended = Math.max(p.ended, p.open);
        p.open = -1;
      }
      RankEpoch r = open.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(rank, x -> new RankEpoch());
      if (s instanceof Sent.Step step) {
        if (!r.steps.contains(step.step()) && valid(run, step)) {
          r.steps.add(step.step());
          r.accepted.add(step);
          p.open = key.epoch();
        }
      } else {
        end(run, key, rank, open, closed, out);
        p.ended = Math.max(p.ended, key.epoch());
        p.open = -1;
      }
    }
    return out;
  }

  /** Rank {@code rank} ended epoch {@code key}: the epoch closes if every rank has. */
  private static void end(Sent.Run run, EpochKey key, int rank, Map<EpochKey, TreeMap<Integer, RankEpoch>> open,
      Set<EpochKey> closed, List<ExpectedEpoch> out) {
    if (closed.contains(key)) {
      return;
    }
    TreeMap<Integer, RankEpoch> ranks = open.computeIfAbsent(key, k -> new TreeMap<>());
    ranks.computeIfAbsent(rank, x -> new RankEpoch()).ended = true;
    if (ranks.size() == run.worldSize() && ranks.values().stream().allMatch(x -> x.ended)) {
      List<Sent.Step> all = new ArrayList<>();
      ranks.values().forEach(x -> all.addAll(x.accepted));
      out.add(epoch(run, key, all));
      open.remove(key);
      closed.add(key);
    }
  }

  /** Whether every metric of the run can take the step (the product refuses the whole step otherwise). */
  private static boolean valid(Sent.Run run, Sent.Step step) {
    if (step.preds() == null) {
      return true;
    }
    for (JsonNode spec : run.metrics().values()) {
      int classes = spec.path("num_classes").asInt(0);
      if (classes == 0) {
        continue;
      }
      for (int i = 0; i < step.target().length; i++) {
        double t = step.target()[i];
        if (t != Math.rint(t) || t < 0 || t >= classes) {
          return false;
        }
        int width = step.preds()[i].length;
        if (width != classes && width != 1) {
          return false;
        }
      }
    }
    return true;
  }

  private static ExpectedEpoch epoch(Sent.Run run, EpochKey key, List<Sent.Step> steps) {
    long samples = 0;
    for (Sent.Step s : steps) {
      samples += s.batchSize();
    }
    Map<String, double[]> metrics = new LinkedHashMap<>();
    Map<String, Long> dropped = new LinkedHashMap<>();
    logged("loss", "mean", steps, s -> s.loss(), metrics, dropped);
    run.scalars().forEach((name, fx) -> logged(name, fx, steps, s -> s.scalars() == null ? null : s.scalars().get(name), metrics, dropped));
    run.metrics().forEach((name, spec) -> metrics.put(name, metric(name, spec, steps)));
    return new ExpectedEpoch(key.run(), key.stage(), key.epoch(), run.worldSize(), steps.size(), samples, metrics, dropped);
  }

  /** A logged value (the loss, a scalar): NaN values are left out and counted; absent when no batch logged it. */
  private static void logged(String name, String fx, List<Sent.Step> steps, java.util.function.Function<Sent.Step, Double> value,
      Map<String, double[]> metrics, Map<String, Long> dropped) {
    String reduce = fx.split(":", 2)[0];
    if (fx.contains(":")) {
      throw new UnsupportedOperationException("the naive reference knows no nan_strategy (" + name + ": " + fx + ")");
    }
    double weighted = 0;
    double weights = 0;
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    long nans = 0;
    boolean any = false;
    for (Sent.Step s : steps) {
      Double v = value.apply(s);
      if (v == null) {
        continue;
      }
      any = true;
      if (Double.isNaN(v)) {
        nans++;
        continue;
      }
      weighted += v * s.batchSize();
      weights += s.batchSize();
      sum += v;
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    if (!any) {
      return;
    }
    double result = switch (reduce) {
      case "mean" -> weighted / weights;
      case "sum" -> sum;
      case "max" -> max;
      case "min" -> min;
      default -> throw new UnsupportedOperationException("reduce_fx " + fx);
    };
    metrics.put(name, new double[] {result});
    if (nans > 0) {
      dropped.put(name, nans);
    }
  }

  private static double[] metric(String name, JsonNode spec, List<Sent.Step> steps) {
    String metric = spec.path("metric").asText();
    switch (metric) {
      case "mean_absolute_error", "mean_squared_error" -> {
        return meanError(metric.equals("mean_squared_error"), spec.path("squared").asBoolean(true), steps);
      }
      default -> { }
    }
    if (!spec.path("task").asText().equals("multiclass")) {
      throw new UnsupportedOperationException(name + ": the naive reference knows only multiclass tasks, not " + spec);
    }
    if (spec.has("ignore_index") || spec.path("top_k").asInt(1) != 1) {
      throw new UnsupportedOperationException(name + ": no ignore_index or top_k in the naive reference: " + spec);
    }
    int classes = spec.path("num_classes").asInt();
    Rows rows = Rows.of(steps, classes);
    return switch (metric) {
      case "accuracy" -> statScore(rows, classes, average(spec, "micro"), Score.RECALL);
      case "recall" -> statScore(rows, classes, average(spec, "micro"), Score.RECALL);
      case "precision" -> statScore(rows, classes, average(spec, "micro"), Score.PRECISION);
      case "f1_score" -> statScore(rows, classes, average(spec, "micro"), Score.F1);
      case "confusion_matrix" -> confusionMatrix(rows, classes, spec);
      case "auroc" -> auroc(rows, classes, average(spec, "macro"), spec.path("thresholds"));
      default -> throw new UnsupportedOperationException(name + ": the naive reference does not know " + metric);
    };
  }

  private static String average(JsonNode spec, String otherwise) {
    JsonNode a = spec.path("average");
    return a.isMissingNode() ? otherwise : a.isNull() ? "none" : a.asText();
  }

  /** Every sample of the epoch: its scores (softmaxed per batch where a batch held logits), argmax and class. */
  private record Rows(List<double[]> scores, int[] predicted, int[] target) {
    static Rows of(List<Sent.Step> steps, int classes) {
      List<double[]> scores = new ArrayList<>();
      List<Integer> predicted = new ArrayList<>();
      List<Integer> target = new ArrayList<>();
      for (Sent.Step s : steps) {
        if (s.preds() == null) {
          continue;
        }
        boolean logits = false;
        for (double[] row : s.preds()) {
          for (double v : row) {
            logits |= v < 0 || v > 1;
          }
        }
        for (int i = 0; i < s.preds().length; i++) {
          double[] row = s.preds()[i];
          target.add((int) s.target()[i]);
          if (row.length == 1 && classes > 1) {
            predicted.add((int) row[0]); // a label, not scores
            scores.add(null);
            continue;
          }
          int best = 0;
          for (int c = 1; c < row.length; c++) {
            if (row[c] > row[best]) {
              best = c; // strictly greater: a tie stays with the lower class
            }
          }
          predicted.add(best);
          scores.add(logits ? softmax(row) : row);
        }
      }
      return new Rows(scores, predicted.stream().mapToInt(Integer::intValue).toArray(), target.stream().mapToInt(Integer::intValue).toArray());
    }
  }

  private static double[] softmax(double[] row) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : row) {
      max = Math.max(max, v);
    }
    double[] out = new double[row.length];
    double sum = 0;
    for (int c = 0; c < row.length; c++) {
      out[c] = Math.exp(row[c] - max);
      sum += out[c];
    }
    for (int c = 0; c < row.length; c++) {
      out[c] /= sum;
    }
    return out;
  }

  private enum Score { PRECISION, RECALL, F1 }

  /** Accuracy (= recall per class; micro: hits / samples), precision, recall, F1 from tp, fp, fn per class. */
  private static double[] statScore(Rows rows, int classes, String average, Score score) {
    long[] tp = new long[classes];
    long[] fp = new long[classes];
    long[] fn = new long[classes];
    for (int i = 0; i < rows.target().length; i++) {
      int t = rows.target()[i];
      int p = rows.predicted()[i];
      if (p == t) {
        tp[t]++;
      } else {
        fp[p]++;
        fn[t]++;
      }
    }
    if (average.equals("micro")) {
      long stp = 0;
      long sfp = 0;
      long sfn = 0;
      for (int c = 0; c < classes; c++) {
        stp += tp[c];
        sfp += fp[c];
        sfn += fn[c];
      }
      return new double[] {score(score, stp, sfp, sfn)};
    }
    double[] per = new double[classes];
    for (int c = 0; c < classes; c++) {
      per[c] = score(score, tp[c], fp[c], fn[c]);
    }
    if (average.equals("none")) {
      return per;
    }
    double num = 0;
    double den = 0;
    for (int c = 0; c < classes; c++) {
      // macro: a class no sample is or was predicted as (tp + fp + fn = 0) is left out; weighted: by support
      double w = average.equals("weighted") ? tp[c] + fn[c] : tp[c] + fp[c] + fn[c] == 0 ? 0 : 1;
      num += w * per[c];
      den += w;
    }
    return new double[] {den == 0 ? 0 : num / den};
  }

  private static double score(Score score, long tp, long fp, long fn) {
    long den = switch (score) {
      case PRECISION -> tp + fp;
      case RECALL -> tp + fn;
      case F1 -> 2 * tp + fp + fn;
    };
    return den == 0 ? 0 : (score == Score.F1 ? 2.0 * tp : tp) / den;
  }

  private static double[] confusionMatrix(Rows rows, int classes, JsonNode spec) {
    String normalize = spec.path("normalize").isMissingNode() || spec.path("normalize").isNull() ? "none" : spec.path("normalize").asText();
    if (!normalize.equals("none")) {
      throw new UnsupportedOperationException("confusion_matrix normalize " + normalize);
    }
    double[] m = new double[classes * classes];
    for (int i = 0; i < rows.target().length; i++) {
      m[rows.target()[i] * classes + rows.predicted()[i]]++;
    }
    return m;
  }

  /** One-vs-rest AUROC per class, then averaged. */
  private static double[] auroc(Rows rows, int classes, String average, JsonNode thresholds) {
    double[] per = new double[classes];
    long[] support = new long[classes];
    for (int c = 0; c < classes; c++) {
      List<Double> pos = new ArrayList<>();
      List<Double> neg = new ArrayList<>();
      for (int i = 0; i < rows.target().length; i++) {
        double s = rows.scores().get(i)[c];
        (rows.target()[i] == c ? pos : neg).add(s);
      }
      support[c] = pos.size();
      per[c] = thresholds.isInt() ? binnedAuc(pos, neg, thresholds.asInt()) : mannWhitney(pos, neg);
    }
    if (average.equals("none")) {
      return per;
    }
    double num = 0;
    double den = 0;
    for (int c = 0; c < classes; c++) {
      double w = average.equals("weighted") ? support[c] : 1;
      num += w * per[c];
      den += w;
    }
    return new double[] {num / den};
  }

  /**
   * The ROC at thresholds linspace(0, 1, n) — a sample is positive at t when its score is at least
   * t — as a trapezoid from the highest threshold down; a class without positives (or negatives)
   * has a rate of 0 throughout.
   */
  private static double binnedAuc(List<Double> pos, List<Double> neg, int n) {
    double[] p = sorted(pos);
    double[] q = sorted(neg);
    double area = 0;
    double lastTpr = 0;
    double lastFpr = 0;
    for (int j = n - 1; j >= 0; j--) {
      double t = (double) j / (n - 1);
      double tpr = p.length == 0 ? 0 : atLeast(p, t) / (double) p.length;
      double fpr = q.length == 0 ? 0 : atLeast(q, t) / (double) q.length;
      if (j < n - 1) {
        area += (fpr - lastFpr) * (tpr + lastTpr) / 2;
      }
      lastTpr = tpr;
      lastFpr = fpr;
    }
    return area;
  }

  private static double[] sorted(List<Double> values) {
    double[] out = values.stream().mapToDouble(Double::doubleValue).toArray();
    java.util.Arrays.sort(out);
    return out;
  }

  /** How many of the sorted values are at least {@code t}. */
  private static int atLeast(double[] sorted, double t) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return sorted.length - lo;
  }

  /** The exact AUROC as the probability that a positive outscores a negative, ties counting half; 0 without both. */
  private static double mannWhitney(List<Double> pos, List<Double> neg) {
    if (pos.isEmpty() || neg.isEmpty()) {
      return 0;
    }
    double wins = 0;
    for (double p : pos) {
      for (double q : neg) {
        wins += p > q ? 1 : p == q ? 0.5 : 0;
      }
    }
    return wins / ((double) pos.size() * neg.size());
  }

  private static double[] meanError(boolean squaredError, boolean squared, List<Sent.Step> steps) {
    double sum = 0;
    long n = 0;
    for (Sent.Step s : steps) {
      if (s.preds() == null) {
        continue;
      }
      for (int i = 0; i < s.target().length; i++) {
        if (s.preds()[i].length != 1) {
          throw new UnsupportedOperationException("the naive reference's mean errors take one output");
        }
        double d = s.preds()[i][0] - s.target()[i];
        sum += squaredError ? d * d : Math.abs(d);
        n++;
      }
    }
    double mean = sum / n;
    return new double[] {squaredError && !squared ? Math.sqrt(mean) : mean};
  }
}
