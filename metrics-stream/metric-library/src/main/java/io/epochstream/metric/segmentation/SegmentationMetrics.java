package io.epochstream.metric.segmentation;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Registers TorchMetrics 1.9's segmentation metrics: dice_score ({@code DiceScore}),
 * generalized_dice_score ({@code GeneralizedDiceScore}) and mean_iou ({@code MeanIoU}), with their
 * parameter names and defaults. Masks are [N, C, ...] one-hot (or scores) or [N, ...] class indices,
 * images or volumes; {@code samples} of a summary counts what the writer sent as batch_size (images).
 */
public final class SegmentationMetrics implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("dice_score", "generalized_dice_score", "mean_iou");
  }

  @Override
  public Metric create(MetricParams p) {
    return switch (p.metric()) {
      case "dice_score" -> DiceScore.create(p);
      case "generalized_dice_score" -> GeneralizedDiceScore.create(p);
      case "mean_iou" -> MeanIou.create(p);
      default -> throw new IllegalArgumentException("not a segmentation metric: " + p.metric());
    };
  }

  /**
   * Each input format, average, aggregation level and per-class setting. generalized_dice_score's
   * examples use {@code weight_type=linear}: with square or simple weights a class missing from an
   * image's target takes a weight from the other images of the same update (TorchMetrics' rule), so
   * only the linear weights make the value independent of how the epoch was cut into steps — the
   * others are checked against TorchMetrics with TorchMetrics' own batching instead.
   */
  @Override
  public List<Example> examples() {
    return List.of(
        new Example("dice_score", Map.of("num_classes", 3, "input_format", "index")),
        new Example("dice_score", Map.of("num_classes", 3, "input_format", "index", "average", "micro")),
        new Example("dice_score", Map.of("num_classes", 3, "input_format", "one-hot", "average", "weighted")),
        new Example("dice_score", Map.of("num_classes", 4, "input_format", "mixed", "average", "none", "include_background", false)),
        new Example("dice_score", Map.of("num_classes", 3, "input_format", "index", "aggregation_level", "global")),
        new Example("dice_score", Map.of("num_classes", 3, "input_format", "one-hot", "aggregation_level", "global",
            "average", "weighted", "include_background", false)),
        new Example("dice_score", Map.of("num_classes", 2, "input_format", "mixed", "aggregation_level", "global", "average", "none")),
        new Example("generalized_dice_score", Map.of("num_classes", 3, "input_format", "index", "weight_type", "linear")),
        new Example("generalized_dice_score", Map.of("num_classes", 4, "input_format", "one-hot", "weight_type", "linear",
            "per_class", true, "include_background", false)),
        new Example("mean_iou", Map.of("num_classes", 3, "input_format", "index")),
        new Example("mean_iou", Map.of("num_classes", 3, "input_format", "mixed", "per_class", true)),
        new Example("mean_iou", Map.of("input_format", "one-hot", "include_background", false)));
  }
}
