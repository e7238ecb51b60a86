package io.epochstream.metric.segmentation;

import io.epochstream.metric.Metric;
import io.epochstream.metric.input.DecodedBatch;

/**
 * A segmentation metric: it is computed from a batch's {@link MaskCounts} alone, so the counts are
 * taken here, once per batch for every metric of a set with the same {@link MaskInput}, and a batch
 * without predictions adds nothing.
 */
abstract class MaskMetric extends Metric {
  private final MaskInput input;

  MaskMetric(MaskInput input) {
    this.input = input;
  }

  @Override
  public final Update prepare(DecodedBatch decoded) {
    if (!decoded.batch().hasPredictions()) {
      return Update.NONE;
    }
    return prepare(MaskCounts.of(decoded, input));
  }

  /** The contribution of one batch's counts (validated); changes no state, as {@link #prepare(DecodedBatch)}. */
  abstract Update prepare(MaskCounts counts);
}
