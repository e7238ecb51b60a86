package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.input.Average;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Registers the stat-score family: accuracy, precision, recall, f1_score, fbeta_score, stat_scores,
 * confusion_matrix — TorchMetrics' task wrappers (task=binary|multiclass|multilabel) with their
 * parameter names and defaults (average="micro", threshold=0.5, top_k=1, zero_division=0).
 */
public final class ClassificationMetrics implements MetricFamily {
  private static final Map<String, Function<MetricParams, Metric>> FACTORIES = new HashMap<>();

  static {
    register(FACTORIES);
  }

  @Override
  public Set<String> names() {
    return FACTORIES.keySet();
  }

  @Override
  public Metric create(MetricParams params) {
    return FACTORIES.get(params.metric()).apply(params);
  }

  /** Every metric for each task: binary thresholds, multiclass averages and top_k, multilabel, ignore_index. */
  @Override
  public List<Example> examples() {
    List<Example> out = new ArrayList<>();
    for (String name : new java.util.TreeSet<>(FACTORIES.keySet())) {
      boolean averaged = !name.equals("confusion_matrix");
      Map<String, Object> extra = switch (name) {
        case "fbeta_score" -> Map.of("beta", 2.0);
        case "confusion_matrix" -> Map.of("normalize", "true");
        default -> Map.of();
      };
      out.add(example(name, extra, "task", "binary"));
      out.add(example(name, extra, "task", "binary", "threshold", 0.25, "ignore_index", -1));
      out.add(example(name, extra, "task", "multilabel", "num_labels", 3, "ignore_index", -1));
      out.add(example(name, extra, "task", "multiclass", "num_classes", 4, "ignore_index", 1));
      if (averaged) {
        for (String average : List.of("micro", "macro", "weighted", "none")) {
          out.add(example(name, extra, "task", "multiclass", "num_classes", 4, "average", average));
          out.add(example(name, extra, "task", "multilabel", "num_labels", 3, "average", average, "threshold", 0.75));
        }
        out.add(example(name, extra, "task", "multiclass", "num_classes", 4, "average", "macro", "top_k", 2));
      } else {
        out.add(example(name, Map.of("normalize", "none"), "task", "multiclass", "num_classes", 3));
      }
    }
    return out;
  }

  private static Example example(String metric, Map<String, Object> extra, Object... keyValues) {
    Map<String, Object> params = new LinkedHashMap<>(extra);
    for (int i = 0; i < keyValues.length; i += 2) {
      params.put((String) keyValues[i], keyValues[i + 1]);
    }
    return new Example(metric, params);
  }

  private static void register(Map<String, Function<MetricParams, Metric>> registry) {
    registry.put("accuracy", p -> ratio(p, Score.ACCURACY, 1.0, false));
    registry.put("precision", p -> ratio(p, Score.PRECISION, 1.0, true));
    registry.put("recall", p -> ratio(p, Score.RECALL, 1.0, true));
    registry.put("f1_score", p -> ratio(p, Score.FBETA, 1.0, true));
    registry.put("fbeta_score", p -> {
      if (!p.has("beta")) {
        throw p.error("beta", "is required");
      }
      double beta = p.real("beta", 1.0);
      if (!(beta > 0) || Double.isInfinite(beta)) {
        throw p.error("beta", "must be a number larger than 0, not " + beta);
      }
      return ratio(p, Score.FBETA, beta, true);
    });
    registry.put("stat_scores", p -> {
      TaskConfig cfg = TaskConfig.read(p, true);
      Average average = Average.read(p, cfg.task(), Average.MICRO);
      return new StatScoreMetric(cfg, counts -> StatScores.reduce(counts, average));
    });
    registry.put("confusion_matrix", p -> {
      TaskConfig cfg = TaskConfig.read(p, false);
      return new ConfusionMatrix(cfg, ConfusionMatrix.normalized(
          ConfusionMatrix.normalize(p.string("normalize", "none", "none", "true", "pred", "all"))));
    });
  }

  private static Metric ratio(MetricParams p, Score score, double beta, boolean zeroDivision) {
    TaskConfig cfg = TaskConfig.read(p, true);
    Average average = Average.read(p, cfg.task(), Average.MICRO);
    double zd = zeroDivision ? zeroDivision(p) : 0;
    return new StatScoreMetric(cfg, counts -> score.reduce(counts, average, beta, zd));
  }

  /** The stat-score family's zero_division: the value of a 0/0, 0 (default) or 1. */
  static double zeroDivision(MetricParams p) {
    double zd = p.real("zero_division", 0);
    if (zd != 0 && zd != 1) {
      throw p.error("zero_division", "must be 0 or 1, not " + zd);
    }
    return zd;
  }
}
