package io.epochstream.metric.ranking;

import java.util.Locale;

/** How per-class AP / AUROC values are reduced: TorchMetrics' {@code average} for the ranking metrics. */
public enum Average {
  /** Mean over classes; NaN classes are left out (TorchMetrics warns and ignores them). */
  MACRO,
  /** Mean weighted by support (positives per class), NaN classes left out, weights renormalised. */
  WEIGHTED,
  /** One value per class, shape [C]. */
  NONE,
  /** Multilabel only: every (sample, label) element pooled into one binary problem. */
  MICRO;

  public String paramValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
