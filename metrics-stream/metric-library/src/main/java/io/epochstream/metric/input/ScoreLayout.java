package io.epochstream.metric.input;

/**
 * Where sample s's score for class c sits in a row-major preds tensor of shape [N, C, d1, d2, ...]:
 * TorchMetrics flattens the extra dimensions into the batch, so there are N·d1·d2·… samples and
 * sample s = (n, j) with j the flat index over the extra dimensions. The matching target has shape
 * [N, d1, d2, ...] and sample s sits at index s.
 */
public record ScoreLayout(int batch, int classes, int extra) {

  /** The layout of {@code predsShape} = [N, C, ...]; null when preds holds no class axis. */
  public static ScoreLayout of(int[] predsShape) {
    if (predsShape.length < 2) {
      return null;
    }
    int extra = 1;
    for (int i = 2; i < predsShape.length; i++) {
      extra *= predsShape[i];
    }
    return new ScoreLayout(predsShape[0], predsShape[1], extra);
  }

  public int samples() {
    return batch * extra;
  }

  public int index(int sample, int c) {
    int n = sample / extra;
    int j = sample - n * extra;
    return (n * classes + c) * extra + j;
  }
}
