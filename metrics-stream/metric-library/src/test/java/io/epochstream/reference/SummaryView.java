package io.epochstream.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a test read of one summary, whatever carried it (an Avro record, a JSON line): the fields a
 * reference can predict. {@link #assertSameEpochs} compares a run's summaries with a reference.
 */
public record SummaryView(String run, String stage, int epoch, boolean complete, int ranks, long steps, long samples,
    Map<String, double[]> metrics, Map<String, Long> droppedNans) {

  public String key() {
    return ExpectedEpoch.key(run, stage, epoch);
  }

  /**
   * Exactly the expected epochs, each once and complete, with their step, sample and rank counts,
   * the same metric names, and every value within {@link NaiveEpochs#TOLERANCE}; the error lists
   * every difference.
   */
  public static void assertSameEpochs(List<ExpectedEpoch> expected, List<SummaryView> actual) {
    assertSameEpochs(expected, actual, NaiveEpochs.TOLERANCE);
  }

  /** The same with another relative tolerance (TorchMetrics' figures are float32: {@link EpochFixture#TOLERANCE}). */
  public static void assertSameEpochs(List<ExpectedEpoch> expected, List<SummaryView> actual, double tolerance) {
    List<String> problems = new ArrayList<>();
    Map<String, ExpectedEpoch> wanted = new HashMap<>();
    expected.forEach(e -> wanted.put(e.key(), e));
    Map<String, Integer> seen = new HashMap<>();
    for (SummaryView a : actual) {
      if (seen.merge(a.key(), 1, Integer::sum) > 1) {
        problems.add(a.key() + ": a second summary");
        continue;
      }
      ExpectedEpoch e = wanted.get(a.key());
      if (e == null) {
        problems.add(a.key() + ": not expected");
        continue;
      }
      compare(e, a, tolerance, problems);
    }
    wanted.keySet().stream().filter(k -> !seen.containsKey(k)).sorted().forEach(k -> problems.add(k + ": missing"));
    if (!problems.isEmpty()) {
      StringBuilder message = new StringBuilder(problems.size() + " difference(s) from the reference:\n");
      problems.forEach(p -> message.append("  ").append(p).append('\n'));
      message.append("read ").append(actual.size()).append(" summaries: ").append(actual.stream().map(SummaryView::key).toList());
      throw new AssertionError(message.toString());
    }
  }

  private static void compare(ExpectedEpoch e, SummaryView a, double tolerance, List<String> problems) {
    String k = a.key();
    if (!a.complete()) {
      problems.add(k + ": not complete");
    }
    if (a.ranks() != e.ranks()) {
      problems.add(k + ": ranks " + a.ranks() + ", expected " + e.ranks());
    }
    if (a.steps() != e.steps()) {
      problems.add(k + ": steps " + a.steps() + ", expected " + e.steps());
    }
    if (a.samples() != e.samples()) {
      problems.add(k + ": samples " + a.samples() + ", expected " + e.samples());
    }
    if (!a.droppedNans().equals(e.droppedNans())) {
      problems.add(k + ": dropped_nans " + a.droppedNans() + ", expected " + e.droppedNans());
    }
    if (!new TreeSet<>(a.metrics().keySet()).equals(new TreeSet<>(e.metrics().keySet()))) {
      problems.add(k + ": metrics " + new TreeSet<>(a.metrics().keySet()) + ", expected " + new TreeSet<>(e.metrics().keySet()));
    }
    e.metrics().forEach((name, want) -> {
      double[] got = a.metrics().get(name);
      if (got != null && !close(got, want, tolerance)) {
        problems.add(k + ": " + name + " " + Arrays.toString(got) + ", expected " + Arrays.toString(want));
      }
    });
  }

  private static boolean close(double[] got, double[] want, double relative) {
    if (got.length != want.length) {
      return false;
    }
    for (int i = 0; i < got.length; i++) {
      double tolerance = relative * Math.max(1, Math.abs(want[i]));
      if (!(Math.abs(got[i] - want[i]) <= tolerance) && !(Double.isNaN(got[i]) && Double.isNaN(want[i]))) {
        return false;
      }
    }
    return true;
  }
}
