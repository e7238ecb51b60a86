package io.epochstream.bench;

import io.epochstream.cli.AddOnCommand;

/** Registers {@code epochstream bench} from the benchmark jar (see META-INF/services). */
public final class BenchAddOn implements AddOnCommand {
  @Override
  public Object command() {
    return new BenchCommand();
  }
}
