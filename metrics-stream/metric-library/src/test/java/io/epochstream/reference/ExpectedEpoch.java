package io.epochstream.reference;

import java.util.Map;

/**
 * What a closed epoch's summary must say, as a naive reference computed it: counts exact, metric
 * values (row-major, a scalar as one value) to be compared within {@link NaiveEpochs#TOLERANCE}.
 */
public record ExpectedEpoch(String run, String stage, int epoch, int ranks, long steps, long samples, Map<String, double[]> metrics,
    Map<String, Long> droppedNans) {

  /** "run/stage/epoch": how tests name an epoch in messages and maps. */
  public String key() {
    return key(run, stage, epoch);
  }

  public static String key(String run, String stage, int epoch) {
    return run + "/" + stage + "/" + epoch;
  }
}
