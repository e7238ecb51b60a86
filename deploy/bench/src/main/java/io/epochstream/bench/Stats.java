package io.epochstream.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Median (min–max) of repetitions, as every table of the bench prints them. */
final class Stats {
  private Stats() {}

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  static String summary(List<Double> values, String format) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    String median = String.format(Locale.ROOT, format, median(sorted));
    return sorted.size() == 1 ? median : median + " (" + String.format(Locale.ROOT, format, sorted.get(0)) + "–"
        + String.format(Locale.ROOT, format, sorted.get(sorted.size() - 1)) + ")";
  }
}
