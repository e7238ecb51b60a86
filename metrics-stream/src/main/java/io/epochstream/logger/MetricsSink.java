package io.epochstream.logger;

import io.epochstream.schema.EpochSummary;

/**
 * Where epoch summaries go once they are read off the {@code epoch-summaries} topic. A new logger
 * is one class: implement {@link #onSummary}, and {@link #close} if it holds a file.
 */
public interface MetricsSink extends AutoCloseable {
  void onSummary(EpochSummary summary);

  @Override
  default void close() {}
}
