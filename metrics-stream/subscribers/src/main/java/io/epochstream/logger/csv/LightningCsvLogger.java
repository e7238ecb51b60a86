package io.epochstream.logger.csv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.epochstream.event.Stage;
import io.epochstream.logger.LogPaths;
import io.epochstream.logger.OnStepLogger;
import io.epochstream.logger.RunCurves;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * PyTorch Lightning's CSVLogger layout: {@code <dir>/<run>/metrics.csv} with {@code epoch},
 * {@code step} and one column per metric, the sorted union of the names seen (sparse rows), the
 * header rewritten when a new name appears; {@code hparams.yaml} beside it. Names follow
 * Lightning: the training step values (rank 0's, as Lightning logs on_step) are
 * {@code train_<name>_step}; epoch values are {@code <stage>_<metric>}, and the training loss,
 * which Lightning logs on_step and on_epoch, is {@code train_loss_epoch}.
 *
 * <p>Rows are kept in one canonical order — by epoch, its step rows by step, then its epoch rows
 * train, val, test, predict — whatever order the topics delivered them in, so a live logger and a
 * {@code --from-beginning} rebuild write the same file. An epoch row's {@code step} is the epoch's
 * last step (train: the global step, Lightning's x-axis). Rows already in the file are not written
 * again: a restarted logger appends safely. Curve metrics (roc, precision_recall_curve) go to files of
 * their own beside it ({@link CurveCsv}).
 *
 * <p>One idea, the file's layout and its one canonical row order; its length is that rule's cases
 * (sparse columns, a header rewritten, rows kept across restarts).
 */
public final class LightningCsvLogger implements OnStepLogger {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = YAMLMapper.builder().enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build();
  /**
   * RFC 4180 as Python's csv module writes it (fields quoted only when they hold a comma, a quote
   * or a line break, quotes doubled), with {@code \n} between records: a metric named
   * {@code a,"b"} cannot shift or split a row, and pandas and {@code csv.DictReader} read it back.
   */
  private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();
  private final Path root;
  private final Map<String, RunFile> files = new HashMap<>();
  private final RunCurves curves = new RunCurves();
  private final CurveCsv curveFiles = new CurveCsv(FORMAT);

  public LightningCsvLogger(Path root) {
    this.root = root;
  }

  /** Canonical row order: epoch, then step rows (kind 0) by step, then epoch rows (kind 1) by stage. */
  private record RowKey(int epoch, int kind, long order) implements Comparable<RowKey> {
    @Override
    public int compareTo(RowKey o) {
      int c = Integer.compare(epoch, o.epoch);
      if (c == 0) {
        c = Integer.compare(kind, o.kind);
      }
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  private static final class RunFile {
    final Path csv;
    final TreeSet<String> columns = new TreeSet<>();
    final TreeMap<RowKey, Map<String, String>> rows = new TreeMap<>();

    RunFile(Path dir) {
      this.csv = dir.resolve("metrics.csv");
    }
  }

  @Override
  public void onLoggedStep(StepMetrics step) {
    Map<String, String> row = new LinkedHashMap<>();
    row.put("epoch", Integer.toString(step.getEpoch()));
    row.put("step", Long.toString(step.getStep()));
    new TreeMap<>(step.getValues()).forEach((name, v) -> row.put("train_" + name + "_step", format(v)));
    add(step.getRun(), new RowKey(step.getEpoch(), 0, step.getStep()), row);
  }

  @Override
  public void onSummary(EpochSummary s) {
    Map<String, String> row = new LinkedHashMap<>();
    row.put("epoch", Integer.toString(s.getEpoch()));
    row.put("step", Long.toString(s.getLastStep()));
    s.getMetrics().forEach((name, value) -> {
      if (value.getShape().isEmpty()) {
        row.put(column(s.getStage(), name), format(value.getValues().get(0)));
      }
    });
    add(s.getRun(), new RowKey(s.getEpoch(), 1, Stage.order(s.getStage())), row);
    new TreeMap<>(s.getMetrics()).forEach((name, value) -> {
      RunCurves.Spec spec = curves.spec(s.getRun(), name);
      List<RunCurves.Curve> perClass = spec == null ? null : RunCurves.curves(value, spec.kind());
      if (perClass != null) {
        Path file = CurveCsv.file(LogPaths.runDirectory(root, s.getRun()), s.getStage(), name);
        curveFiles.write(file, spec.kind(), s.getEpoch(), s.getLastStep(), perClass);
      }
    });
  }

  private void add(String run, RowKey key, Map<String, String> row) {
    RunFile f = files.computeIfAbsent(run, this::open);
    if (f.rows.containsKey(key)) {
      return;
    }
    boolean last = f.rows.isEmpty() || key.compareTo(f.rows.lastKey()) > 0;
    boolean newColumns = f.columns.addAll(row.keySet().stream().filter(c -> !c.equals("epoch") && !c.equals("step")).toList());
    f.rows.put(key, row);
    if (newColumns || !last || !Files.exists(f.csv)) {
      rewrite(f);
    } else {
      append(f, row);
    }
  }

  @Override
  public void onRunStarted(String run, RunStarted config) {
    curves.onRunStarted(run, config);
    Path dir = LogPaths.runDirectory(root, run);
    // A hyper-parameter is its value's JSON text (numbers, lists) or a plain string: each is written as
    // what it is, as Lightning's yaml.dump of the hparams would.
    ObjectNode hparams = YAML.createObjectNode();
    new TreeMap<>(config.getHparams()).forEach((k, v) -> hparams.set(k, hparam(v)));
    hparams.put("world_size", config.getWorldSize());
    try {
      Files.createDirectories(dir);
      YAML.writeValue(dir.resolve("hparams.yaml").toFile(), hparams);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write hparams.yaml for run " + run, e);
    }
  }

  private static String column(String stage, String name) {
    return stage + "_" + name + (stage.equals("train") && name.equals("loss") ? "_epoch" : "");
  }


  /** Reads back a file this logger wrote, so a restart neither loses nor repeats rows. */
  private RunFile open(String run) {
    Path dir = LogPaths.runDirectory(root, run);
    RunFile f = new RunFile(dir);
    try {
      Files.createDirectories(dir);
      if (!Files.exists(f.csv)) {
        return f;
      }
      try (CSVParser parser = CSVParser.parse(f.csv, StandardCharsets.UTF_8, FORMAT)) {
        List<String> header = null;
        for (CSVRecord record : parser) {
          if (header == null) {
            header = record.toList();
            header.stream().filter(h -> !h.equals("epoch") && !h.equals("step")).forEach(f.columns::add);
            continue;
          }
          Map<String, String> row = new LinkedHashMap<>();
          for (int c = 0; c < header.size() && c < record.size(); c++) {
            if (!record.get(c).isEmpty()) {
              row.put(header.get(c), record.get(c));
            }
          }
          f.rows.put(keyOf(row), row);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read back " + f.csv + ": " + e.getMessage(), e);
    }
    return f;
  }

  /** The canonical position of a row read back: step rows hold only {@code *_step} columns. */
  private static RowKey keyOf(Map<String, String> row) {
    List<String> metrics = row.keySet().stream().filter(k -> !k.equals("epoch") && !k.equals("step")).toList();
    int epoch = Integer.parseInt(row.get("epoch"));
    if (!metrics.isEmpty() && metrics.stream().allMatch(m -> m.endsWith("_step"))) {
      return new RowKey(epoch, 0, Long.parseLong(row.get("step")));
    }
    String first = metrics.isEmpty() ? "" : metrics.get(0);
    return new RowKey(epoch, 1, Stage.order(first.contains("_") ? first.substring(0, first.indexOf('_')) : ""));
  }

  private static void rewrite(RunFile f) {
    Path tmp = f.csv.resolveSibling("metrics.csv.tmp");
    try (CSVPrinter out = new CSVPrinter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8), FORMAT)) {
      out.printRecord(header(f));
      for (Map<String, String> row : f.rows.values()) {
        out.printRecord(cells(f, row));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + f.csv, e);
    }
    try {
      Files.move(tmp, f.csv, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + f.csv, e);
    }
  }

  private static void append(RunFile f, Map<String, String> row) {
    try (CSVPrinter out = new CSVPrinter(Files.newBufferedWriter(f.csv, StandardCharsets.UTF_8, StandardOpenOption.APPEND), FORMAT)) {
      out.printRecord(cells(f, row));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + f.csv, e);
    }
  }

  private static List<String> header(RunFile f) {
    List<String> h = new ArrayList<>(List.of("epoch", "step"));
    h.addAll(f.columns);
    return h;
  }

  private static List<String> cells(RunFile f, Map<String, String> row) {
    List<String> cells = new ArrayList<>();
    for (String c : header(f)) {
      cells.add(row.getOrDefault(c, ""));
    }
    return cells;
  }

  static String format(double d) {
    return Double.isNaN(d) ? "nan" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : Double.toString(d);
  }

  private static JsonNode hparam(String value) {
    try {
      JsonNode json = JSON.readTree(value);
      return json == null || json.isMissingNode() ? TextNode.valueOf(value) : json;
    } catch (IOException notJson) {
      return TextNode.valueOf(value);
    }
  }
}
