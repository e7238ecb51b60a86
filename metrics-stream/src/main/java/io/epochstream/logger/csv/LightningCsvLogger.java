package io.epochstream.logger.csv;

import io.epochstream.logger.LogPaths;
import io.epochstream.logger.MetricsSink;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunStarted;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * PyTorch Lightning's CSVLogger layout: {@code <dir>/<run>/metrics.csv} with {@code epoch},
 * {@code step} and one column per metric, the sorted union of the names seen (sparse rows), the
 * header rewritten when a new name appears; {@code hparams.yaml} beside it. Names follow
 * Lightning: {@code <stage>_<metric>}, and the training loss, which Lightning logs on_step and
 * on_epoch, is {@code train_loss_epoch}. One row per closed
 * (epoch, stage); {@code step} is the epoch's last step number — for train the global step at the
 * epoch's end, Lightning's x-axis; for val/test that stage's own step counter — and {@code epoch}
 * gives the epoch axis (Lightning #4998). Both come from the summary alone, so the file does not
 * depend on the order in which stages close. Rows already in the file are not written
 * again, so a restarted or {@code --from-beginning} logger appends safely.
 */
public final class LightningCsvLogger implements MetricsSink {
  private final Path root;
  private final Map<String, RunFile> files = new HashMap<>();

  public LightningCsvLogger(Path root) {
    this.root = root;
  }

  /** One run's metrics.csv: rows by (epoch, stage), in the order they were first written. */
  private static final class RunFile {
    final Path csv;
    final TreeSet<String> columns = new TreeSet<>();
    final LinkedHashMap<String, Map<String, String>> rows = new LinkedHashMap<>();

    RunFile(Path dir) {
      this.csv = dir.resolve("metrics.csv");
    }
  }

  @Override
  public void onSummary(EpochSummary s) {
    RunFile f = files.computeIfAbsent(s.getRun(), this::open);
    String key = s.getEpoch() + "/" + s.getStage();
    if (f.rows.containsKey(key)) {
      return;
    }
    Map<String, String> row = new LinkedHashMap<>();
    row.put("epoch", Integer.toString(s.getEpoch()));
    row.put("step", Long.toString(s.getLastStep()));
    s.getMetrics().forEach((name, value) -> {
      if (value.getShape().isEmpty()) {
        row.put(column(s.getStage(), name), format(value));
      }
    });
    boolean newColumns = f.columns.addAll(row.keySet().stream().filter(c -> !c.equals("epoch") && !c.equals("step")).toList());
    f.rows.put(key, row);
    if (newColumns || !Files.exists(f.csv)) {
      rewrite(f);
    } else {
      append(f, row);
    }
  }

  @Override
  public void onRunStarted(String run, RunStarted config) {
    Path dir = LogPaths.runDirectory(root, run);
    StringBuilder yaml = new StringBuilder();
    new TreeMap<>(config.getHparams()).forEach((k, v) -> yaml.append(k).append(": ").append(yamlScalar(v)).append('\n'));
    yaml.append("world_size: ").append(config.getWorldSize()).append('\n');
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("hparams.yaml"), yaml.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write hparams.yaml for run " + run, e);
    }
  }

  /**
   * Lightning names: the training loss, which Lightning logs with on_step and on_epoch, is
   * {@code train_loss_epoch} (its step values are {@code train_loss_step} on step-metrics);
   * everything else is {@code <stage>_<name>}.
   */
  private static String column(String stage, String name) {
    return stage + "_" + name + (stage.equals("train") && name.equals("loss") ? "_epoch" : "");
  }

  private RunFile open(String run) {
    Path dir = LogPaths.runDirectory(root, run);
    RunFile f = new RunFile(dir);
    try {
      Files.createDirectories(dir);
      if (Files.exists(f.csv)) {
        List<String> lines = Files.readAllLines(f.csv, StandardCharsets.UTF_8);
        if (!lines.isEmpty()) {
          String[] header = lines.get(0).split(",", -1);
          for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.length && c < cells.length; c++) {
              if (!cells[c].isEmpty()) {
                row.put(header[c], cells[c]);
              }
            }
            String stage = row.keySet().stream().filter(k -> !k.equals("epoch") && !k.equals("step"))
                .map(k -> k.substring(0, k.indexOf('_'))).findFirst().orElse("?");
            f.rows.put(row.get("epoch") + "/" + stage, row);
            for (String h : header) {
              if (!h.equals("epoch") && !h.equals("step")) {
                f.columns.add(h);
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + f.csv, e);
    }
    return f;
  }

  private static void rewrite(RunFile f) {
    List<String> lines = new ArrayList<>();
    lines.add(String.join(",", header(f)));
    f.rows.values().forEach(row -> lines.add(line(f, row)));
    try {
      Path tmp = f.csv.resolveSibling("metrics.csv.tmp");
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      Files.move(tmp, f.csv, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + f.csv, e);
    }
  }

  private static void append(RunFile f, Map<String, String> row) {
    try {
      Files.writeString(f.csv, line(f, row) + System.lineSeparator(), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + f.csv, e);
    }
  }

  private static List<String> header(RunFile f) {
    List<String> h = new ArrayList<>(List.of("epoch", "step"));
    h.addAll(f.columns);
    return h;
  }

  private static String line(RunFile f, Map<String, String> row) {
    List<String> cells = new ArrayList<>();
    for (String c : header(f)) {
      cells.add(row.getOrDefault(c, ""));
    }
    return String.join(",", cells);
  }

  private static String format(MetricValue v) {
    double d = v.getValues().get(0);
    return Double.isNaN(d) ? "nan" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : Double.toString(d);
  }

  private static String yamlScalar(String v) {
    return v.matches("[A-Za-z0-9_.\\-+]+") ? v : "'" + v.replace("'", "''") + "'";
  }
}
