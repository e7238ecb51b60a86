package io.epochstream.cli;

import picocli.CommandLine.Command;

// bench joins from its own jar (AddOnCommand), so the product jar carries no benchmark code.
@Command(name = "epochstream", mixinStandardHelpOptions = true, version = "epochstream 0.1.0",
    description = "Per-epoch training metrics from Kafka step events.",
    subcommands = {DemoCommand.class, BrokerCommand.class, StreamCommand.class, TrainCommand.class, LogCommand.class, EvalCommand.class, ReplayCommand.class, PublishCommand.class, RunsCommand.class, EpochsCommand.class})
final class EpochstreamCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** Read before parsing (by {@link ConfigSources}), declared here so it is accepted and documented. */
  @picocli.CommandLine.Option(names = "--config", paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Properties file of option values (key = option name without dashes, or <command>.<name>); "
          + "flags and EPOCHSTREAM_<NAME> environment variables override it. Default: $EPOCHSTREAM_CONFIG.")
  java.nio.file.Path config;

  @picocli.CommandLine.Option(names = "--print-config", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Print the effective configuration, with where each value came from, and exit.")
  boolean printConfig;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
