package io.epochstream.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code epochstream} command. Exit codes: 0 ok, 1 failed, 2 bad usage. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new EpochstreamCommand());
    cli.setParameterExceptionHandler((e, argv) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println(e.getCommandLine().getCommandName() + ": " + e.getMessage()
          + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
      return 2;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": error: " + describe(e));
      if (System.getenv("EPOCHSTREAM_DEBUG") != null) {
        e.printStackTrace(commandLine.getErr());
      }
      return e instanceof IllegalArgumentException ? 2 : 1;
    });
    return cli.execute(args);
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
