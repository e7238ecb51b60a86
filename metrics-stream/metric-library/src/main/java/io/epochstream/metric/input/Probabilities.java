package io.epochstream.metric.input;

/**
 * TorchMetrics' input normalisation: an update whose float scores leave [0, 1] is taken as logits
 * and squashed (sigmoid for binary and multilabel, softmax over classes for multiclass). The check
 * is per update, over the whole batch, as TorchMetrics does it on CPU
 * ({@code not torch.all((x >= 0) * (x <= 1))}): a NaN is not inside [0, 1], so it triggers the
 * squashing of the whole update too.
 */
public final class Probabilities {
  private Probabilities() {}

  public static boolean outsideUnitInterval(double[] values) {
    for (double v : values) {
      if (outside(v)) {
        return true;
      }
    }
    return false;
  }

  /** Whether one value fails {@code 0 <= v <= 1}: below, above, or NaN. */
  public static boolean outside(double v) {
    return !(v >= 0 && v <= 1);
  }

  /** Sigmoid of every value when any value lies outside [0, 1]; otherwise the input itself. */
  public static double[] sigmoidIfLogits(double[] values) {
    return outsideUnitInterval(values) ? sigmoid(values) : values;
  }

  /**
   * Binary inputs with ignore_index, as TorchMetrics' binary confusion-matrix and curve formats
   * judge them: the sigmoid of every value when a value whose target is kept lies outside [0, 1];
   * otherwise the input itself ({@code values[i]} goes with {@code target[i]}).
   */
  public static double[] sigmoidIfKeptLogits(double[] values, double[] target, IgnoreIndex ignore) {
    if (!ignore.present()) {
      return sigmoidIfLogits(values);
    }
    for (int i = 0; i < values.length; i++) {
      if (!ignore.matches(target[i]) && outside(values[i])) {
        return sigmoid(values);
      }
    }
    return values;
  }

  /** The sigmoid of every value, a fresh array. */
  public static double[] sigmoid(double[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = 1.0 / (1.0 + Math.exp(-values[i]));
    }
    return out;
  }

  /**
   * Softmax over the class axis of a [N, C, extra] score layout when any value lies outside [0, 1];
   * otherwise the input itself.
   */
  public static double[] softmaxIfLogits(double[] values, ScoreLayout layout) {
    if (!outsideUnitInterval(values)) {
      return values;
    }
    double[] out = new double[values.length];
    for (int s = 0; s < layout.samples(); s++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < layout.classes(); c++) {
        max = Math.max(max, values[layout.index(s, c)]);
      }
      double sum = 0;
      for (int c = 0; c < layout.classes(); c++) {
        double e = Math.exp(values[layout.index(s, c)] - max);
        out[layout.index(s, c)] = e;
        sum += e;
      }
      for (int c = 0; c < layout.classes(); c++) {
        out[layout.index(s, c)] /= sum;
      }
    }
    return out;
  }
}
