package io.epochstream.reference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * What a test sent, in its own terms — plain arrays and the run line's JSON — never a product
 * class: the input of {@link NaiveEpochs}.
 */
public sealed interface Sent {
  String run();

  /** A run's announcement: its world size, metric specs as the run line states them, scalars' reduce_fx. */
  record Run(String run, int worldSize, Map<String, JsonNode> metrics, Map<String, String> scalars) implements Sent {}

  /**
   * One batch: {@code preds} is N rows (C scores each, or one value: a label or a regression
   * output), {@code target} N values; both null for a step without predictions.
   */
  record Step(String run, String stage, int epoch, int rank, long step, int batchSize, Double loss, double[][] preds,
      double[] target, Map<String, Double> scalars) implements Sent {}

  /** A rank's end of an epoch. */
  record End(String run, String stage, int epoch, int rank) implements Sent {}
}
