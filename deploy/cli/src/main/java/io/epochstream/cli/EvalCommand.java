package io.epochstream.cli;

import io.epochstream.eval.EvalException;
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
        "epoch_end) and prints one summary line per closed epoch. Exit 2 on bad input, naming line and field."})
final class EvalCommand implements Callable<Integer> {
  @Parameters(index = "0", defaultValue = "-", paramLabel = "FILE", description = "JSON-lines input; - for stdin (default).")
  String file;

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    PrintStream err = System.err;
    OfflineEvaluator evaluator = new OfflineEvaluator(out::println, err::println);
    try (BufferedReader in = open()) {
      evaluator.evaluate(in);
    } catch (NoSuchFileException e) {
      err.println("epochstream eval: no such file: " + file);
      return 2;
    } catch (EvalException e) {
      out.flush();
      err.println("epochstream eval: " + e.oneLine());
      return 2;
    }
    out.flush();
    return 0;
  }

  private BufferedReader open() throws IOException {
    if (file.equals("-")) {
      return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }
    return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
  }
}
