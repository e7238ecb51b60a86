package io.epochstream.metric.segmentation;

import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;

/**
 * TorchMetrics 1.9's {@code segmentation.MeanIoU}: per image and class |P∩T| / |P∪T|, counted only
 * where the class is in either mask (union &gt; 0). The epoch value is the sum of those IoUs over the
 * count of (image, class) pairs that had one — per class with {@code per_class} (a class never seen
 * is -1), else over all classes together (NaN when none was seen). Two SUM states, as TorchMetrics'.
 * {@code num_classes} may be left out for one-hot or mixed masks (their class axis says it), as in
 * TorchMetrics; index masks of one or two dimensions are one image ([W] → [1, 1, W], [H, W] → [1, H, W]).
 */
final class MeanIou extends MaskMetric {
  private final boolean perClass;
  private final MetricState score;
  private final MetricState counted;

  static MeanIou create(MetricParams p) {
    boolean perClass = p.bool("per_class", false);
    return new MeanIou(MaskInput.readOptionalClasses(p, perClass), perClass);
  }

  private MeanIou(MaskInput input, boolean perClass) {
    super(input);
    this.perClass = perClass;
    int slots = perClass ? input.reported() : 1;
    this.score = addState("score", slots, Reduction.SUM);
    this.counted = addState("num_batches", slots, Reduction.SUM);
  }

  @Override
  Update prepare(MaskCounts c) {
    int k = c.classes();
    double[] sums = new double[score.size()];
    double[] counts = new double[score.size()];
    for (int i = 0; i < c.samples(); i++) {
      for (int j = 0; j < k; j++) {
        int at = i * k + j;
        long inter = c.intersection()[at];
        long union = c.predSum()[at] + c.targetSum()[at] - inter;
        if (union > 0) {
          int slot = perClass ? j : 0;
          sums[slot] += (double) inter / union;
          counts[slot]++;
        }
      }
    }
    return () -> {
      score.add(sums);
      counted.add(counts);
    };
  }

  @Override
  public MetricResult compute() {
    double[] values = new double[score.size()];
    for (int s = 0; s < values.length; s++) {
      double v = score.get(s) / counted.get(s);
      values[s] = perClass && Double.isNaN(v) ? -1 : v;
    }
    return perClass ? new MetricResult(new int[] {values.length}, values) : MetricResult.scalar(values[0]);
  }
}
