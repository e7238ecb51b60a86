package io.epochstream.metric.ranking;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.Probabilities;
import io.epochstream.metric.input.ScoreLayout;
import io.epochstream.metric.input.Task;
import java.util.Arrays;

/**
 * The shared machinery of TorchMetrics' curve metrics (AveragePrecision, AUROC): input validation
 * and normalisation, the two state layouts, and per-class curves for compute.
 *
 * <p><b>Exact mode</b> ({@code thresholds=null}) keeps every score in one CAT state, 8 bytes per
 * (sample, class): the score s ≥ 0 is stored as +s when that class is a positive for the sample and
 * as −s (sign bit set, so 0 becomes −0.0) when it is a negative; an ignored multilabel element is
 * NaN. A multiclass / multilabel sample is a row of C values, so concatenation in any merge order
 * keeps rows whole. compute() sorts each class's values, so the result depends only on the
 * multiset of (score, label) pairs, never on batching or merge order.
 *
 * <p><b>Binned mode</b> keeps, per class, a histogram over the T+1 gaps between the sorted
 * thresholds, split by label: a SUM state of C·(T+1)·2 counts. "pred ≥ threshold" counts come from
 * suffix sums at compute time, equal to TorchMetrics' multi-threshold confusion matrices.
 */
public abstract class ScoreCurveMetric extends Metric {
  private final RankingConfig config;
  private final Task task;
  private final int classes;
  private final MetricState scores;
  private final MetricState counts;
  private final double[] sortedThresholds;
  /** For each threshold in the configured order, how many thresholds are strictly smaller. */
  private final int[] below;
  private final int buckets;
  private final ThresholdBuckets bucketOf;
  /** ignore_index unboxed once: it is tested for every sample. */
  private final boolean hasIgnore;
  private final double ignoreValue;

  protected ScoreCurveMetric(RankingConfig config) {
    this.hasIgnore = config.ignoreIndex() != null;
    this.ignoreValue = hasIgnore ? config.ignoreIndex() : Double.NaN;
    this.config = config;
    this.task = config.task();
    this.classes = config.classes();
    if (config.exact()) {
      scores = addCatState("scores");
      counts = null;
      sortedThresholds = null;
      below = null;
      buckets = 0;
      bucketOf = null;
    } else {
      double[] t = config.thresholds();
      sortedThresholds = t.clone();
      Arrays.sort(sortedThresholds);
      below = new int[t.length];
      for (int i = 0; i < t.length; i++) {
        below[i] = lowerBound(sortedThresholds, t[i]);
      }
      buckets = t.length + 1;
      bucketOf = new ThresholdBuckets(sortedThresholds);
      counts = addState("bucket_counts", classes * buckets * 2, Reduction.SUM);
      scores = null;
    }
  }

  public RankingConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- update

  @Override
  public final Update prepare(Batch batch) {
    if (!batch.hasPredictions()) {
      return Update.NONE;
    }
    double[] preds = batch.preds();
    double[] target = batch.target();
    int[] ps = batch.predsShape();
    int[] ts = batch.targetShape();
    checkLength("preds", ps, preds.length);
    checkLength("target", ts, target.length);
    ScoreLayout layout = switch (task) {
      case BINARY -> {
        if (!Arrays.equals(ps, ts)) {
          throw new IllegalArgumentException(name() + ": preds shape " + Arrays.toString(ps) + " and target shape "
              + Arrays.toString(ts) + " must be equal for task=binary");
        }
        yield null;
      }
      case MULTICLASS -> multiclassLayout(ps, ts);
      case MULTILABEL -> multilabelLayout(ps, ts);
    };
    if (batch.predsIntegral()) {
      throw new IllegalArgumentException(name() + ": preds must be floating point scores (probabilities or logits),"
          + " not an integer label tensor");
    }
    int kept = validateTarget(target);
    // A NaN where the target is ignore_index is dropped with its sample before anything judges it.
    refuseNaN(preds, target, layout, "holds NaN");
    int rows = switch (task) {
      case BINARY -> kept;
      case MULTICLASS -> kept;
      case MULTILABEL -> layout.samples();
    };
    if (scores != null) {
      long held = scores.size() / classes;
      if (held + rows > config.maxSamples()) {
        throw new IllegalArgumentException(name() + " (exact, thresholds=null) keeps every score: this epoch would hold "
            + (held + rows) + " samples, over the cap max_samples=" + config.maxSamples()
            + ". Raise max_samples, or set thresholds (e.g. thresholds=200) for constant memory.");
      }
    }
    double[] probs = normalise(preds, target, layout);
    if (probs != preds) { // untransformed preds were checked for NaN above
      refuseNaN(probs, target, layout, "became NaN after sigmoid/softmax (infinite logits?)");
    }
    if (scores == null) {
      return () -> countBinned(probs, target, layout);
    }
    long appended = (long) rows * (task == Task.BINARY ? 1 : classes);
    return new Update() {
      @Override
      public void apply() {
        appendExact(probs, target, layout);
      }

      @Override
      public long appendedValues() {
        return appended;
      }
    };
  }

  private String name() {
    return config.metric();
  }

  private void checkLength(String field, int[] shape, int length) {
    if (shape == null || shape.length == 0) {
      throw new IllegalArgumentException(name() + ": " + field + " has no shape");
    }
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    if (n != length) {
      throw new IllegalArgumentException(name() + ": " + field + " shape " + Arrays.toString(shape) + " holds " + n
          + " values, but " + length + " were given");
    }
  }

  private ScoreLayout multiclassLayout(int[] ps, int[] ts) {
    boolean ok = ps.length >= 2 && ps.length == ts.length + 1 && ps[0] == ts[0]
        && Arrays.equals(Arrays.copyOfRange(ps, 2, ps.length), Arrays.copyOfRange(ts, 1, ts.length));
    if (!ok) {
      throw new IllegalArgumentException(name() + ": task=multiclass needs preds [N, C, ...] and target [N, ...], got preds "
          + Arrays.toString(ps) + " and target " + Arrays.toString(ts));
    }
    if (ps[1] != classes) {
      throw new IllegalArgumentException(name() + ": preds has " + ps[1] + " classes on axis 1, num_classes is " + classes);
    }
    return ScoreLayout.of(ps);
  }

  private ScoreLayout multilabelLayout(int[] ps, int[] ts) {
    if (ps.length < 2 || !Arrays.equals(ps, ts)) {
      throw new IllegalArgumentException(name() + ": task=multilabel needs preds and target of the same shape [N, L, ...], got preds "
          + Arrays.toString(ps) + " and target " + Arrays.toString(ts));
    }
    if (ps[1] != classes) {
      throw new IllegalArgumentException(name() + ": preds has " + ps[1] + " labels on axis 1, num_labels is " + classes);
    }
    return ScoreLayout.of(ps);
  }

  private boolean ignored(double t) {
    return hasIgnore && t == ignoreValue;
  }

  /** Checks every target value; returns how many are not ignored. */
  private int validateTarget(double[] target) {
    int kept = 0;
    for (int i = 0; i < target.length; i++) {
      double t = target[i];
      if (Double.isNaN(t)) {
        throw new IllegalArgumentException(name() + ": target holds NaN at index " + i);
      }
      if (ignored(t)) {
        continue;
      }
      if (task == Task.MULTICLASS) {
        if (t != Math.rint(t) || t < 0 || t >= classes) {
          throw new IllegalArgumentException(name() + ": target holds " + t + " at index " + i
              + ", not a class index in [0, " + classes + ")" + ignoreHint());
        }
      } else if (t != 0 && t != 1) {
        throw new IllegalArgumentException(name() + ": target holds " + t + " at index " + i + ", expected 0 or 1" + ignoreHint());
      }
      kept++;
    }
    return kept;
  }

  private String ignoreHint() {
    return config.ignoreIndex() == null ? "" : " (or ignore_index=" + config.ignoreIndex() + ")";
  }

  /**
   * TorchMetrics' per-update normalisation: binary and multiclass look only at the samples left after
   * ignore_index (sigmoid / softmax over classes if any is outside [0, 1]); multilabel checks the
   * whole tensor before dropping ignored elements and applies an element-wise sigmoid.
   */
  private double[] normalise(double[] preds, double[] target, ScoreLayout layout) {
    switch (task) {
      case BINARY -> {
        for (int i = 0; i < preds.length; i++) {
          if (!ignored(target[i]) && (preds[i] < 0 || preds[i] > 1)) {
            return Probabilities.sigmoidIfLogits(preds);
          }
        }
        return preds;
      }
      case MULTICLASS -> {
        for (int s = 0; s < layout.samples(); s++) {
          if (ignored(target[s])) {
            continue;
          }
          for (int c = 0; c < classes; c++) {
            double v = preds[layout.index(s, c)];
            if (v < 0 || v > 1) {
              return Probabilities.softmaxIfLogits(preds, layout);
            }
          }
        }
        return preds;
      }
      default -> {
        return Probabilities.sigmoidIfLogits(preds);
      }
    }
  }

  /**
   * Refuses a NaN score of a kept entry before any state changes (given, or made by the softmax of
   * infinite logits); a NaN of an ignored entry goes with it.
   */
  private void refuseNaN(double[] probs, double[] target, ScoreLayout layout, String what) {
    for (int i = 0; i < probs.length; i++) {
      if (Double.isNaN(probs[i])) {
        double t = task == Task.MULTICLASS ? target[i / (classes * layout.extra()) * layout.extra() + i % layout.extra()] : target[i];
        if (!ignored(t)) {
          throw new IllegalArgumentException(name() + ": preds at index " + i + " " + what);
        }
      }
    }
  }

  private void appendExact(double[] probs, double[] target, ScoreLayout layout) {
    switch (task) {
      case BINARY -> {
        for (int i = 0; i < probs.length; i++) {
          if (!ignored(target[i])) {
            double s = probs[i] + 0.0;
            scores.append(target[i] == 1 ? s : -s);
          }
        }
      }
      case MULTICLASS -> {
        for (int s = 0; s < layout.samples(); s++) {
          double t = target[s];
          if (ignored(t)) {
            continue;
          }
          for (int c = 0; c < classes; c++) {
            double v = probs[layout.index(s, c)] + 0.0;
            scores.append(c == t ? v : -v);
          }
        }
      }
      case MULTILABEL -> {
        for (int s = 0; s < layout.samples(); s++) {
          for (int c = 0; c < classes; c++) {
            int idx = layout.index(s, c);
            double t = target[idx];
            double v = probs[idx] + 0.0;
            scores.append(ignored(t) ? Double.NaN : t == 1 ? v : -v);
          }
        }
      }
    }
  }

  private void countBinned(double[] probs, double[] target, ScoreLayout layout) {
    double[] h = counts.values();
    switch (task) {
      case BINARY -> {
        for (int i = 0; i < probs.length; i++) {
          if (!ignored(target[i])) {
            h[slot(0, probs[i], target[i] == 1)]++;
          }
        }
      }
      case MULTICLASS -> {
        for (int s = 0; s < layout.samples(); s++) {
          double t = target[s];
          if (ignored(t)) {
            continue;
          }
          for (int c = 0; c < classes; c++) {
            h[slot(c, probs[layout.index(s, c)], c == t)]++;
          }
        }
      }
      case MULTILABEL -> {
        for (int s = 0; s < layout.samples(); s++) {
          for (int c = 0; c < classes; c++) {
            int idx = layout.index(s, c);
            if (!ignored(target[idx])) {
              h[slot(c, probs[idx], target[idx] == 1)]++;
            }
          }
        }
      }
    }
  }

  /** Histogram slot: bucket b = number of thresholds ≤ score, so score ≥ threshold j ⇔ b > below[j]. */
  private int slot(int c, double score, boolean positive) {
    int b = bucketOf.bucket(score);
    return ((c * buckets) + b) * 2 + (positive ? 1 : 0);
  }

  private static int lowerBound(double[] a, double v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // ---------------------------------------------------------------- compute

  /**
   * One class's curve. Exact: {@code tp[k]}, {@code fp[k]} are cumulative counts at the k-th
   * distinct score in descending order (TorchMetrics' {@code _binary_clf_curve}). Binned: counts of
   * pred ≥ threshold for each configured threshold, in the configured order.
   *
   * @param recallOnes TorchMetrics' exact PR-curve rule "no positive samples found in target":
   *     when every target value of the curve's state is 0 the recall is set to one everywhere
   */
  protected record Curve(double[] tp, double[] fp, double positives, double negatives, boolean recallOnes) {
    public int length() {
      return tp.length;
    }

    public boolean empty() {
      return positives + negatives == 0;
    }
  }

  /** The metric's value for one exact curve. */
  protected abstract double exactScore(Curve curve);

  /** The metric's value for one binned curve. */
  protected abstract double binnedScore(Curve curve);

  @Override
  public final MetricResult compute() {
    if (scores != null && scores.size() == 0 && config.average() != Average.NONE) {
      // An epoch without a kept sample has no curve at all (TorchMetrics cannot compute one): every
      // reduction is NaN, rather than a weighted sum over no classes that would read 0.0.
      return MetricResult.scalar(Double.NaN);
    }
    if (config.average() == Average.MICRO) {
      return MetricResult.scalar(score(microCurve()));
    }
    double[] res = new double[classes];
    double[] support = new double[classes];
    boolean allClassZero = task == Task.MULTICLASS && scores != null && multiclassAllTargetsZero();
    for (int c = 0; c < classes; c++) {
      Curve curve = scores != null ? exactCurve(column(c), task == Task.MULTICLASS ? allClassZero : null)
          : binnedCurve(c, c + 1);
      res[c] = score(curve);
      support[c] = curve.positives();
    }
    if (task == Task.BINARY) {
      return MetricResult.scalar(res[0]);
    }
    return switch (config.average()) {
      case NONE -> new MetricResult(new int[] {classes}, res);
      case MACRO -> {
        double sum = 0;
        int n = 0;
        for (double r : res) {
          if (!Double.isNaN(r)) {
            sum += r;
            n++;
          }
        }
        yield MetricResult.scalar(n == 0 ? Double.NaN : sum / n);
      }
      case WEIGHTED -> {
        double total = 0;
        for (int c = 0; c < classes; c++) {
          if (!Double.isNaN(res[c])) {
            total += support[c];
          }
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
          if (!Double.isNaN(res[c])) {
            sum += res[c] * (total == 0 ? 0 : support[c] / total);
          }
        }
        yield MetricResult.scalar(sum);
      }
      case MICRO -> throw new IllegalStateException("unreachable");
    };
  }

  private double score(Curve curve) {
    return scores != null ? exactScore(curve) : binnedScore(curve);
  }

  /** Multiclass rule of TorchMetrics: the recall-ones fix fires when every kept target is class 0. */
  private boolean multiclassAllTargetsZero() {
    int n = scores.size() / classes;
    if (n == 0) {
      return false;
    }
    for (int s = 0; s < n; s++) {
      if (isNegative(scores.get(s * classes))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNegative(double encoded) {
    return Double.doubleToRawLongBits(encoded) < 0;
  }

  /** The encoded values of class c (NaN = ignored elements dropped), a fresh array. */
  private double[] column(int c) {
    int n = scores.size() / classes;
    double[] out = new double[n];
    int k = 0;
    for (int s = 0; s < n; s++) {
      double v = scores.get(s * classes + c);
      if (!Double.isNaN(v)) {
        out[k++] = v;
      }
    }
    return k == n ? out : Arrays.copyOf(out, k);
  }

  private Curve microCurve() {
    if (scores == null) {
      return binnedCurve(0, classes);
    }
    double[] all = new double[scores.size()];
    int k = 0;
    for (int i = 0; i < scores.size(); i++) {
      double v = scores.get(i);
      if (!Double.isNaN(v)) {
        all[k++] = v;
      }
    }
    return exactCurve(Arrays.copyOf(all, k), null);
  }

  /**
   * Builds the exact curve from encoded values (sorted in place). After sorting, negatives (−s)
   * come first in order of descending score, then positives (+s) in ascending score.
   *
   * @param multiclassAllZero for multiclass the recall-ones rule is decided over all targets; null
   *     for binary / multilabel, where it fires when this curve has no positives
   */
  private static Curve exactCurve(double[] v, Boolean multiclassAllZero) {
    Arrays.sort(v);
    int nNeg = 0;
    while (nNeg < v.length && isNegative(v[nNeg])) {
      nNeg++;
    }
    int nPos = v.length - nNeg;
    double[] tp = new double[v.length];
    double[] fp = new double[v.length];
    int k = 0;
    int i = v.length - 1; // positives, descending
    int j = 0; // negatives, descending score
    long cumTp = 0;
    long cumFp = 0;
    while (i >= nNeg || j < nNeg) {
      double pos = i >= nNeg ? v[i] : Double.NEGATIVE_INFINITY;
      double neg = j < nNeg ? -v[j] : Double.NEGATIVE_INFINITY;
      double t = Math.max(pos, neg);
      while (i >= nNeg && v[i] == t) {
        cumTp++;
        i--;
      }
      while (j < nNeg && -v[j] == t) {
        cumFp++;
        j++;
      }
      tp[k] = cumTp;
      fp[k] = cumFp;
      k++;
    }
    boolean recallOnes = multiclassAllZero != null ? multiclassAllZero : nPos == 0 && v.length > 0;
    return new Curve(Arrays.copyOf(tp, k), Arrays.copyOf(fp, k), nPos, nNeg, recallOnes);
  }

  /** The binned curve of classes [from, to) summed (one class, or all labels for micro). */
  private Curve binnedCurve(int from, int to) {
    double[] h = counts.values();
    double[] sufPos = new double[buckets + 1];
    double[] sufNeg = new double[buckets + 1];
    for (int c = from; c < to; c++) {
      for (int b = buckets - 1; b >= 0; b--) {
        sufPos[b] += h[((c * buckets) + b) * 2 + 1];
        sufNeg[b] += h[((c * buckets) + b) * 2];
      }
    }
    for (int b = buckets - 2; b >= 0; b--) {
      sufPos[b] += sufPos[b + 1];
      sufNeg[b] += sufNeg[b + 1];
    }
    int t = below.length;
    double[] tp = new double[t];
    double[] fp = new double[t];
    for (int i = 0; i < t; i++) {
      tp[i] = sufPos[below[i] + 1];
      fp[i] = sufNeg[below[i] + 1];
    }
    return new Curve(tp, fp, sufPos[0], sufNeg[0], false);
  }
}
