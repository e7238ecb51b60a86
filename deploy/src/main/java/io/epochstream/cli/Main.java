package io.epochstream.cli;

import io.epochstream.eval.EvalException;
import io.epochstream.jsonl.JsonLinesException;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.metric.MetricFactory;
import io.epochstream.metric.StateLimitException;
import io.epochstream.replay.ReplayRequestException;
import io.epochstream.trainer.TrainingInputException;
import io.epochstream.usage.UsageException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of the {@code epochstream} command. Exit codes: 0 ok, 1 failed, 2 bad usage or input ({@link #exitCode}); a
 * service stopped by SIGTERM (SIGINT) exits with 143 (130) after its clean shutdown.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = run(args);
    // During a signal-initiated shutdown System.exit would block on the shutdown hook that is
    // waiting for this very thread; returning lets the JVM finish with the signal's status.
    if (!Shutdown.inProgress()) {
      System.exit(code);
    }
  }

  /** Runs a command line and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    return run(System.getenv(), args);
  }

  /** As {@link #run(String...)}, with the environment the configuration is read from. */
  static int run(Map<String, String> env, String... args) {
    CommandLine cli = new CommandLine(new EpochstreamCommand());
    AddOnCommand.addAll(cli);
    ConfigSources sources;
    try {
      sources = ConfigSources.of(env, args);
    } catch (UsageException e) {
      cli.getErr().println("epochstream: " + e.getMessage());
      return 2;
    }
    cli.setDefaultValueProvider(sources);
    cli.setParameterExceptionHandler((e, argv) -> {
      PrintWriter err = e.getCommandLine().getErr();
      String from = e.getArgSpec() == null || sources.source(e.getArgSpec()) == null ? ""
          : " (value from " + sources.source(e.getArgSpec()) + ")";
      err.println(e.getCommandLine().getCommandName() + ": " + e.getMessage() + from
          + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
      return 2;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": error: " + describe(e));
      if (env.get("EPOCHSTREAM_DEBUG") != null) {
        e.printStackTrace(commandLine.getErr());
      }
      return exitCode(e);
    });
    cli.setExecutionStrategy(parsed -> {
      List<CommandLine> chain = parsed.asCommandLineList();
      CommandLine leaf = chain.get(chain.size() - 1);
      ParseResult leafParse = leafParse(parsed);
      if (CommandLine.printHelpIfRequested(parsed)) {
        return 0;
      }
      if (!metricRegistryLoads(leaf)) {
        return 1;
      }
      boolean printOnly = leafParse.hasMatchedOption("--print-config");
      if (printOnly || leaf.getCommand() instanceof ServiceCommand service && service.serving()) {
        EffectiveConfig.print(leafParse, sources, printOnly ? leaf.getOut() : leaf.getErr());
        if (printOnly) {
          return 0;
        }
      }
      return new CommandLine.RunLast().execute(parsed);
    });
    return cli.execute(args);
  }

  /**
   * Finds the metric families (built-in and plugins) before a command starts, so that a broken
   * plugins directory — a metric name registered twice, a family that cannot load — stops it with one
   * line instead of failing on the first run it reads.
   */
  private static boolean metricRegistryLoads(CommandLine leaf) {
    try {
      MetricFactory.names();
      return true;
    } catch (IllegalStateException e) {
      leaf.getErr().println(leaf.getCommandSpec().qualifiedName() + ": error: " + e.getMessage());
      return false;
    }
  }

  private static ParseResult leafParse(ParseResult parsed) {
    ParseResult leaf = parsed;
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
    }
    return leaf;
  }

  /**
   * 2 when the command line or the input it names is refused — a flag ({@link UsageException}), a
   * metric configuration, a JSON line, a training configuration or data set, a replay of what is not
   * there to replay; 1 for anything that
   * failed while doing the work (no GPU, Kafka away, a bug).
   */
  static int exitCode(Exception e) {
    boolean badInput = e instanceof UsageException || e instanceof MetricConfigException || e instanceof StateLimitException
        || e instanceof JsonLinesException || e instanceof EvalException || e instanceof TrainingInputException
        || e instanceof ReplayRequestException;
    return badInput ? 2 : 1;
  }

  /** The message, with the root cause when it adds something; set EPOCHSTREAM_DEBUG for the trace. */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
      message += " (" + root.getMessage() + ")";
    }
    return message;
  }
}
