package io.epochstream.metric.ranking;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.IgnoreIndex;
import io.epochstream.metric.input.Probabilities;
import io.epochstream.metric.input.ScoreLayout;
import io.epochstream.metric.input.Task;
import io.epochstream.metric.input.TaskShapes;

/**
 * The shared machinery of TorchMetrics' curve metrics (AveragePrecision, AUROC): input validation
 * and normalisation, and the averages over per-class curves at compute. What an epoch keeps is a
 * {@link CurveState}: every score ({@link ExactCurves}, {@code thresholds=null}) or a histogram over
 * the thresholds ({@link BinnedCurves}).
 */
public abstract class ScoreCurveMetric extends Metric {
  private final RankingConfig config;
  private final Task task;
  private final int classes;
  private final IgnoreIndex ignore;
  private final CurveState curves;

  protected ScoreCurveMetric(RankingConfig config) {
    this.config = config;
    this.task = config.task();
    this.classes = config.classes();
    this.ignore = IgnoreIndex.of(config.ignoreIndex());
    this.curves = config.exact()
        ? new ExactCurves(addCatState(ExactCurves.STATE), config)
        : new BinnedCurves(addState(BinnedCurves.STATE, BinnedCurves.stateLength(config.thresholds(), classes), Reduction.SUM),
            config.thresholds(), classes);
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
    ScoreLayout layout = layout(batch);
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
    curves.refuseOverflow(rows);
    double[] probs = normalise(preds, target, layout);
    if (probs != preds) { // untransformed preds were checked for NaN above
      refuseNaN(probs, target, layout, "became NaN after sigmoid/softmax (infinite logits?)");
    }
    return curves.add(SignedScores.encode(task, classes, ignore, probs, target, layout));
  }

  @Override
  public void refuseMerge(long values) {
    curves.refuseMerge(values);
  }

  private String name() {
    return config.metric();
  }

  /** Checks the shapes against the task; the layout of the scores, null for binary (flat, aligned). */
  private ScoreLayout layout(Batch batch) {
    return switch (task) {
      case BINARY -> {
        TaskShapes.sameShape(batch, "binary");
        yield null;
      }
      case MULTICLASS -> TaskShapes.multiclassLayout(batch, classes);
      case MULTILABEL -> TaskShapes.multilabel(batch, classes);
    };
  }

  /** Checks every target value; returns how many are not ignored. */
  private int validateTarget(double[] target) {
    int kept = 0;
    for (int i = 0; i < target.length; i++) {
      double t = target[i];
      if (Double.isNaN(t)) {
        throw new IllegalArgumentException(name() + ": target holds NaN at index " + i);
      }
      if (ignore.matches(t)) {
        continue;
      }
      if (task == Task.MULTICLASS) {
        if (t != Math.rint(t) || t < 0 || t >= classes) {
          throw new IllegalArgumentException(name() + ": target holds " + t + " at index " + i
              + ", not a class index in [0, " + classes + ")" + ignore.hint());
        }
      } else if (t != 0 && t != 1) {
        throw new IllegalArgumentException(name() + ": target holds " + t + " at index " + i + ", expected 0 or 1" + ignore.hint());
      }
      kept++;
    }
    return kept;
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
          if (!ignore.matches(target[i]) && (preds[i] < 0 || preds[i] > 1)) {
            return Probabilities.sigmoidIfLogits(preds);
          }
        }
        return preds;
      }
      case MULTICLASS -> {
        for (int s = 0; s < layout.samples(); s++) {
          if (ignore.matches(target[s])) {
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
        if (!ignore.matches(t)) {
          throw new IllegalArgumentException(name() + ": preds at index " + i + " " + what);
        }
      }
    }
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
    if (curves.noCurve() && config.average() != Average.NONE) {
      // An epoch without a kept sample has no curve at all (TorchMetrics cannot compute one): every
      // reduction is NaN, rather than a weighted sum over no classes that would read 0.0.
      return MetricResult.scalar(Double.NaN);
    }
    if (config.average() == Average.MICRO) {
      return MetricResult.scalar(score(curves.microCurve()));
    }
    Curve[] perClass = curves.classCurves();
    double[] res = new double[classes];
    double[] support = new double[classes];
    for (int c = 0; c < classes; c++) {
      res[c] = score(perClass[c]);
      support[c] = perClass[c].positives();
    }
    if (task == Task.BINARY) {
      return MetricResult.scalar(res[0]);
    }
    return average(res, support);
  }

  /** Reduces per-class values; a NaN class (an empty curve) is left out of macro and weighted. */
  private MetricResult average(double[] res, double[] support) {
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
    return curves instanceof ExactCurves ? exactScore(curve) : binnedScore(curve);
  }
}
