package io.epochstream.metric.input;

/** {@code torch.argmax} over the class axis of one sample's scores, as TorchMetrics takes a label from scores. */
public final class ClassArgmax {
  private ClassArgmax() {}

  /**
   * The index c &lt; {@code classes} of the largest {@code scores[base + c * stride]}: the first
   * maximum on ties, and a NaN beats every number (the first NaN wins), as torch.argmax does.
   */
  public static int of(double[] scores, int base, int stride, int classes) {
    int best = 0;
    double max = scores[base];
    for (int c = 1; c < classes; c++) {
      double v = scores[base + c * stride];
      if (v > max || (v != v && max == max)) {
        max = v;
        best = c;
      }
    }
    return best;
  }
}
