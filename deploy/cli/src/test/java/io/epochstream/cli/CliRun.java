package io.epochstream.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The command line as a user meets it, run in-process with stdout and stderr captured. */
public final class CliRun {
  private CliRun() {}

  public record Outcome(int code, String out, String err) {
    /** Epoch-table rows of a stage. */
    public List<String> rows(String stage) {
      return Arrays.stream(out.split("\n")).filter(l -> l.matches("^\\S+\\s+\\d+\\s+" + stage + "\\s.*")).toList();
    }
  }

  public static Outcome run(String... args) {
    return run(System.getenv(), args);
  }

  /** Runs with {@code env} as the environment the configuration is read from. */
  public static synchronized Outcome run(Map<String, String> env, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.run(env, args);
      return new Outcome(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
