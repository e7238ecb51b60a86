package io.epochstream.metric;

/** A metric configuration that cannot be built; {@link #param()} names the offending parameter. */
public final class MetricConfigException extends IllegalArgumentException {
  private final String param;

  public MetricConfigException(String param, String message) {
    super(message);
    this.param = param;
  }

  public String param() {
    return param;
  }
}
