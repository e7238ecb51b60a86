package io.epochstream.logger.csv;

import io.epochstream.logger.RunCurves;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * A run's curve metrics as CSV, one file per stage and metric, {@code <run>/curves/<stage>_<name>.csv}:
 * {@code epoch,step,class,point} then the curve's rows (roc: fpr, tpr, threshold; precision-recall:
 * precision, recall, threshold, tp, fp, tn, fn), one line per point, {@code class} empty for a
 * binary curve. An epoch already in the file (a restarted logger) is not written again. Characters
 * other than letters, digits, {@code . _ -} in the file name become {@code _}.
 */
final class CurveCsv {
  private final CSVFormat format;
  /** Per file, the epochs it holds. */
  private final Map<Path, Set<Integer>> epochs = new HashMap<>();

  CurveCsv(CSVFormat format) {
    this.format = format;
  }

  static Path file(Path runDir, String stage, String metric) {
    String name = (stage + "_" + metric).replaceAll("[^A-Za-z0-9._-]", "_");
    return runDir.resolve("curves").resolve((name.startsWith(".") ? "_" + name : name) + ".csv");
  }

  void write(Path file, RunCurves.Kind kind, int epoch, long step, List<RunCurves.Curve> curves) {
    Set<Integer> written = epochs.computeIfAbsent(file, this::readBack);
    if (!written.add(epoch)) {
      return;
    }
    boolean header = !Files.exists(file);
    try {
      Files.createDirectories(file.getParent());
      try (CSVPrinter out = new CSVPrinter(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND), format)) {
        if (header) {
          List<String> names = new ArrayList<>(List.of("epoch", "step", "class", "point"));
          names.addAll(kind.rows());
          out.printRecord(names);
        }
        for (RunCurves.Curve c : curves) {
          for (int p = 0; p < c.points(); p++) {
            List<String> cells = new ArrayList<>();
            cells.add(Integer.toString(epoch));
            cells.add(Long.toString(step));
            cells.add(c.classIndex() == null ? "" : c.classIndex().toString());
            cells.add(Integer.toString(p));
            for (double[] row : c.rows()) {
              cells.add(LightningCsvLogger.format(row[p]));
            }
            out.printRecord(cells);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private Set<Integer> readBack(Path file) {
    Set<Integer> held = new HashSet<>();
    if (!Files.exists(file)) {
      return held;
    }
    try (CSVParser parser = CSVParser.parse(file, StandardCharsets.UTF_8, format)) {
      boolean first = true;
      for (CSVRecord r : parser) {
        if (!first) {
          held.add(Integer.parseInt(r.get(0)));
        }
        first = false;
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read back " + file + ": " + e.getMessage(), e);
    }
    return held;
  }
}
