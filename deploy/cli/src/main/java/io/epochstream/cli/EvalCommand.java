package io.epochstream.cli;

import io.epochstream.eval.OfflineEvaluator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"The stream app's computation offline, no Kafka: reads JSON lines (run, step,",
        "epoch_end) of any number of runs and prints one summary line per closed epoch. A bad line is",
        "refused alone, named on stderr with its line number, field and reason, and the rest is",
        "evaluated (as the stream app dead-letters it); exit 2 when any line was refused."})
final class EvalCommand implements Callable<Integer> {
  @Parameters(index = "0", defaultValue = "-", paramLabel = "FILE", description = "JSON-lines input; - for stdin (default).")
  String file;

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    PrintStream err = System.err;
    OfflineEvaluator evaluator = new OfflineEvaluator(out::println, err::println);
    long refused;
    try (BufferedReader in = open()) {
      refused = evaluator.evaluate(in, e -> {
        out.flush();
        err.println("epochstream eval: " + e.oneLine());
      });
    } catch (NoSuchFileException e) {
      err.println("epochstream eval: no such file: " + file);
      return 2;
    }
    out.flush();
    if (refused > 0) {
      err.println("epochstream eval: " + refused + " line(s) refused; every other line was evaluated");
      return 2;
    }
    return 0;
  }

  private BufferedReader open() throws IOException {
    if (file.equals("-")) {
      return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }
    return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
  }
}
