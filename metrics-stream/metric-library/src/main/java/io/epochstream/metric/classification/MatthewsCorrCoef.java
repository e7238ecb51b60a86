package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchMetrics' {@code matthews_corrcoef} from the confusion matrix (multilabel: the labels' 2×2
 * matrices summed), as {@code _matthews_corrcoef_reduce}: (c·s − Σ t_k p_k) / √((s² − Σ p_k²)(s² −
 * Σ t_k²)). A 2×2 matrix keeps TorchMetrics' edge cases: 1 when every sample is right, −1 when every
 * one is wrong, and a zero denominator resolved with float32's machine epsilon; a larger matrix with
 * a zero denominator gives 0. Computed in double (TorchMetrics uses float32, whose squares of sums
 * are no longer exact past 4096 samples).
 */
public final class MatthewsCorrCoef implements MetricFamily {
  /** torch.finfo(torch.float32).eps. */
  private static final double EPS = Math.ulp(1.0f);

  @Override
  public Set<String> names() {
    return Set.of("matthews_corrcoef");
  }

  @Override
  public Metric create(MetricParams p) {
    return new ConfusionMatrix(TaskConfig.read(p, false), MatthewsCorrCoef::reduce);
  }

  private static MetricResult reduce(MetricResult confmat) {
    double[] m = confmat.values();
    int k = confmat.shape()[confmat.shape().length - 1];
    if (confmat.shape().length == 3) { // multilabel: one 2×2 matrix, the labels' summed
      double[] sum = new double[4];
      for (int i = 0; i < m.length; i++) {
        sum[i % 4] += m[i];
      }
      m = sum;
    }
    double tn = m[0];
    double fp = k == 2 ? m[1] : 0;
    double fn = k == 2 ? m[2] : 0;
    double tp = k == 2 ? m[3] : 0;
    if (k == 2) {
      if (tp + tn != 0 && fp + fn == 0) {
        return MetricResult.scalar(1.0);
      }
      if (tp + tn == 0 && fp + fn != 0) {
        return MetricResult.scalar(-1.0);
      }
    }
    double trace = 0;
    double s = 0;
    double tkpk = 0;
    double pk2 = 0;
    double tk2 = 0;
    for (int r = 0; r < k; r++) {
      double tk = 0;
      double pk = 0;
      for (int c = 0; c < k; c++) {
        tk += m[r * k + c];
        pk += m[c * k + r];
      }
      trace += m[r * k + r];
      s += tk;
      tkpk += tk * pk;
      pk2 += pk * pk;
      tk2 += tk * tk;
    }
    double numerator = trace * s - tkpk;
    double denom = (s * s - pk2) * (s * s - tk2);
    if (denom == 0 && k == 2) {
      double root = Math.sqrt(EPS);
      if (fn == 0 && tn == 0) {
        numerator = root * (tp - fp);
      } else if (fp == 0 && tn == 0) {
        numerator = root * (tp - fn);
      } else if (tp == 0 && fn == 0) {
        numerator = root * (tn - fp);
      } else if (tp == 0 && fp == 0) {
        numerator = root * (tn - fn);
      } else if (tp == 0) {
        numerator = tn - fp * fn;
      } else if (tn == 0) {
        numerator = tp - fp * fn;
      } else if (fp == 0 || fn == 0) {
        numerator = tp * tn;
      } else {
        return MetricResult.scalar(0.0);
      }
      denom = (tp + fp + EPS) * (tp + fn + EPS) * (tn + fp + EPS) * (tn + fn + EPS);
    } else if (denom == 0) {
      return MetricResult.scalar(0.0);
    }
    return MetricResult.scalar(numerator / Math.sqrt(denom));
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("matthews_corrcoef", Map.of("task", "binary")),
        new Example("matthews_corrcoef", Map.of("task", "binary", "threshold", 0.75, "ignore_index", -1)),
        new Example("matthews_corrcoef", Map.of("task", "multiclass", "num_classes", 4)),
        new Example("matthews_corrcoef", Map.of("task", "multiclass", "num_classes", 2, "ignore_index", 1)),
        new Example("matthews_corrcoef", Map.of("task", "multilabel", "num_labels", 3, "ignore_index", -1)));
  }
}
