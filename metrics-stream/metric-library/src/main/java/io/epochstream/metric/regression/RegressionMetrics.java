package io.epochstream.metric.regression;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Registers the regression family with TorchMetrics' functional names and parameters:
 * mean_squared_error (squared=true: MSE, false: RMSE), mean_absolute_error, log_cosh_error,
 * mean_absolute_percentage_error, symmetric_mean_absolute_percentage_error, mean_squared_log_error,
 * r2_score (adjusted, multioutput), explained_variance (multioutput), pearson_corrcoef and
 * cosine_similarity (reduction). {@code num_outputs} is TorchMetrics' where it has one; r2_score and
 * explained_variance take it too, since TorchMetrics sizes their states from the first batch and an
 * epoch state is sized up front.
 */
public final class RegressionMetrics implements MetricFamily {
  private static final Set<String> NAMES = Set.of("mean_squared_error", "mean_absolute_error", "log_cosh_error",
      "mean_absolute_percentage_error", "symmetric_mean_absolute_percentage_error", "mean_squared_log_error", "r2_score",
      "explained_variance", "pearson_corrcoef", "cosine_similarity");

  @Override
  public Set<String> names() {
    return NAMES;
  }

  @Override
  public Metric create(MetricParams p) {
    return switch (p.metric()) {
      case "mean_squared_error" -> new MeanError(MeanError.Kind.SQUARED, outputs(p), p.bool("squared", true));
      case "mean_absolute_error" -> new MeanError(MeanError.Kind.ABSOLUTE, outputs(p), true);
      case "log_cosh_error" -> new MeanError(MeanError.Kind.LOG_COSH, outputs(p), true);
      case "mean_absolute_percentage_error" -> new MeanError(MeanError.Kind.ABSOLUTE_PERCENTAGE, 1, true);
      case "symmetric_mean_absolute_percentage_error" -> new MeanError(MeanError.Kind.SYMMETRIC_ABSOLUTE_PERCENTAGE, 1, true);
      case "mean_squared_log_error" -> new MeanError(MeanError.Kind.SQUARED_LOG, 1, true);
      case "r2_score" -> {
        int adjusted = p.integer("adjusted", 0);
        if (adjusted < 0) {
          throw p.error("adjusted", "must be an integer larger or equal to 0, not " + adjusted);
        }
        yield new R2Score(outputs(p), adjusted, MultiOutput.read(p));
      }
      case "explained_variance" -> new ExplainedVariance(outputs(p), MultiOutput.read(p));
      case "pearson_corrcoef" -> new PearsonCorrCoef(outputs(p));
      case "cosine_similarity" -> {
        if (p.explicitNull("reduction") || p.string("reduction", "sum", "sum", "mean", "none").equals("none")) {
          throw p.error("reduction", "'none' (one value per sample of the epoch) is not supported: a summary holds"
              + " values per metric, not per sample; use 'sum' or 'mean'");
        }
        yield new CosineSimilarity(p.string("reduction", "sum").equals("mean"));
      }
      default -> throw new IllegalArgumentException("not a regression metric: " + p.metric());
    };
  }

  /**
   * Every metric with one output and, where it has num_outputs, several; each multioutput and
   * adjusted r2; both cosine reductions.
   */
  @Override
  public List<Example> examples() {
    return List.of(
        new Example("mean_squared_error", Map.of()),
        new Example("mean_squared_error", Map.of("squared", false, "num_outputs", 2)),
        new Example("mean_absolute_error", Map.of()),
        new Example("mean_absolute_error", Map.of("num_outputs", 3)),
        new Example("log_cosh_error", Map.of()),
        new Example("log_cosh_error", Map.of("num_outputs", 2)),
        new Example("mean_absolute_percentage_error", Map.of()),
        new Example("symmetric_mean_absolute_percentage_error", Map.of()),
        new Example("mean_squared_log_error", Map.of()),
        new Example("r2_score", Map.of()),
        new Example("r2_score", Map.of("adjusted", 2)),
        new Example("r2_score", Map.of("num_outputs", 3, "multioutput", "raw_values")),
        new Example("r2_score", Map.of("num_outputs", 2, "multioutput", "variance_weighted")),
        new Example("explained_variance", Map.of()),
        new Example("explained_variance", Map.of("num_outputs", 3, "multioutput", "raw_values")),
        new Example("explained_variance", Map.of("num_outputs", 2, "multioutput", "variance_weighted")),
        new Example("pearson_corrcoef", Map.of()),
        new Example("pearson_corrcoef", Map.of("num_outputs", 3)),
        new Example("cosine_similarity", Map.of()),
        new Example("cosine_similarity", Map.of("reduction", "mean")));
  }

  private static int outputs(MetricParams p) {
    int n = p.integer("num_outputs", 1);
    if (n < 1) {
      throw p.error("num_outputs", "must be at least 1, not " + n);
    }
    return n;
  }
}
