package io.epochstream.metric.ranking;

import io.epochstream.metric.input.ScoreLayout;
import io.epochstream.metric.input.Task;

/**
 * A validated, normalised batch seen as (class, score, positive) entries: the one place that says
 * which entries a binary, multiclass (one-vs-rest) or multilabel batch contributes to a curve.
 *
 * @param layout null for task=binary, whose preds and target are flat and aligned
 */
record LabelledScores(Task task, int classes, IgnoreIndex ignore, double[] probs, double[] target, ScoreLayout layout) {

  /** Receives the entries in sample-major, class-minor order. */
  interface Sink {
    void entry(int c, double score, boolean positive);

    /** A multilabel element whose target is ignore_index (it keeps its place in the sample's row). */
    default void ignoredElement() { }
  }

  void forEach(Sink sink) {
    switch (task) {
      case BINARY -> {
        for (int i = 0; i < probs.length; i++) {
          if (!ignore.matches(target[i])) {
            sink.entry(0, probs[i], target[i] == 1);
          }
        }
      }
      case MULTICLASS -> {
        for (int s = 0; s < layout.samples(); s++) {
          double t = target[s];
          if (ignore.matches(t)) {
            continue;
          }
          for (int c = 0; c < classes; c++) {
            sink.entry(c, probs[layout.index(s, c)], c == t);
          }
        }
      }
      case MULTILABEL -> {
        for (int s = 0; s < layout.samples(); s++) {
          for (int c = 0; c < classes; c++) {
            int idx = layout.index(s, c);
            if (ignore.matches(target[idx])) {
              sink.ignoredElement();
            } else {
              sink.entry(c, probs[idx], target[idx] == 1);
            }
          }
        }
      }
    }
  }
}
