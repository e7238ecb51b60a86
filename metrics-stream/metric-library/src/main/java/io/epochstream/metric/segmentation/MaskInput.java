package io.epochstream.metric.segmentation;

import io.epochstream.metric.MetricParams;
import java.util.Locale;

/**
 * The input side of a segmentation metric, TorchMetrics' names and defaults: {@code num_classes},
 * {@code include_background}=true and {@code input_format} ("one-hot", the default: masks or scores
 * [N, C, ...]; "index": class-index masks [N, ...]; "mixed": one of each, either way round).
 *
 * @param classes num_classes, or 0 when the masks say it (mean_iou without num_classes, one-hot)
 * @param liftLowRank mean_iou's reading of index masks of one or two dimensions: [W] is one
 *     sample [1, 1, W] and [H, W] one sample [1, H, W], as TorchMetrics' MeanIoU reshapes them
 */
record MaskInput(int classes, boolean includeBackground, Format format, boolean liftLowRank) {
  enum Format {
    ONE_HOT, INDEX, MIXED;

    static Format read(MetricParams p) {
      return valueOf(p.string("input_format", "one-hot", "one-hot", "index", "mixed").replace('-', '_').toUpperCase(Locale.ROOT));
    }
  }

  /** num_classes required (dice_score, generalized_dice_score). */
  static MaskInput read(MetricParams p) {
    int classes = p.requiredInteger("num_classes", 1);
    return new MaskInput(classes, p.bool("include_background", true), Format.read(p), false);
  }

  /**
   * mean_iou: num_classes may be left out with one-hot or mixed masks (their class axis says it),
   * not with index masks, nor with {@code perClass} (a state per class needs its size up front).
   */
  static MaskInput readOptionalClasses(MetricParams p, boolean perClass) {
    Format format = Format.read(p);
    boolean include = p.bool("include_background", true);
    if (p.has("num_classes")) {
      return new MaskInput(p.requiredInteger("num_classes", 1), include, format, true);
    }
    p.explicitNull("num_classes");
    if (format == Format.INDEX) {
      throw p.error("num_classes", "is required with input_format=index");
    }
    if (perClass) {
      throw p.error("num_classes", "is required with per_class=true (the epoch state holds one value per class, sized up front)");
    }
    return new MaskInput(0, include, format, true);
  }

  /** The classes a metric reports: num_classes, less the background (class 0) when it is excluded. */
  int reported() {
    return includeBackground || classes == 1 ? classes : classes - 1;
  }
}
