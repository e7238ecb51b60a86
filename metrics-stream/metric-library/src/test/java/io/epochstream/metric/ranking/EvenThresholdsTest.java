package io.epochstream.metric.ranking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The arithmetic shortcut for evenly spaced thresholds puts every score in the bucket the binary
 * search puts it in — scores exactly on thresholds, one ulp beside them, and outside [0, 1].
 */
class EvenThresholdsTest {
  @ParameterizedTest
  @ValueSource(ints = {3, 5, 11, 100, 101, 1000})
  void shortcutEqualsBinarySearch(int n) {
    double[] thresholds = new double[n];
    for (int i = 0; i < n; i++) {
      thresholds[i] = (double) i / (n - 1); // as RankingConfig builds linspace(0, 1, n)
    }
    ThresholdBuckets buckets = new ThresholdBuckets(thresholds);
    assertThat(buckets.usesShortcut()).isTrue();
    Random r = new Random(n);
    for (int k = 0; k < 200_000; k++) {
      double onGrid = thresholds[r.nextInt(n)];
      double v = switch (r.nextInt(5)) {
        case 0 -> onGrid;
        case 1 -> Math.nextDown(onGrid);
        case 2 -> Math.nextUp(onGrid);
        case 3 -> r.nextDouble();
        default -> r.nextDouble() * 3 - 1;
      };
      assertThat(buckets.bucket(v)).as("score %s", v).isEqualTo(buckets.binarySearch(v));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"0,0.5,0.5,1", "0,0.1,0.9,1"})
  void unevenListsUseTheBinarySearch(String list) {
    double[] t = java.util.Arrays.stream(list.split(",")).mapToDouble(Double::parseDouble).toArray();
    assertThat(new ThresholdBuckets(t).usesShortcut()).isFalse();
  }
}
