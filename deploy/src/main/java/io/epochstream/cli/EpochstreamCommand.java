package io.epochstream.cli;

import picocli.CommandLine.Command;

@Command(name = "epochstream", mixinStandardHelpOptions = true, version = "epochstream 0.1.0",
    description = "Per-epoch training metrics from Kafka step events.",
    subcommands = {DemoCommand.class, BrokerCommand.class, StreamCommand.class, TrainCommand.class, LogCommand.class, EvalCommand.class, ReplayCommand.class, PublishCommand.class, RunsCommand.class, EpochsCommand.class, BenchCommand.class})
final class EpochstreamCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
