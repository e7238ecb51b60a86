package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Keeps the docs true: every {@code ./epochstream …} command in README.md, BENCHMARKS.md and docs/
 * parses against the real command line (bench included, as the launcher of a checkout has it), and
 * every class a documented {@code java -cp CP CLASS} names is in what CP names — a module's jar is
 * its build's classes directory here, a {@code lib/*} entry the dependencies.
 */
class DocumentedCommandsTest {
  /** A command in a code span, or alone on a line of a code block (after an optional VAR=value). */
  private static final Pattern SPAN = Pattern.compile("`(?:[A-Z_]+=\\S+ )*\\./epochstream ([^`]*)`");
  private static final Pattern LINE = Pattern.compile("^\\s*(?:[A-Z_]+=\\S+ )*\\./epochstream ?(.*)$");
  private static final Pattern JAVA = Pattern.compile("java -cp \"?([^\" ]+)\"? ((?:[a-z]\\w*\\.)+[A-Z]\\w*)");

  private static final Path ROOT = findRoot();

  @Test
  void everyDocumentedCommandParses() throws IOException {
    List<String> checked = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (Path doc : docs()) {
      for (String args : commands(Files.readString(doc))) {
        if (isUsageNotation(args)) {
          continue;
        }
        List<String> argv = words(args);
        CommandLine cli = new CommandLine(new EpochstreamCommand());
        AddOnCommand.addAll(cli);
        try {
          cli.parseArgs(argv.toArray(String[]::new));
          checked.add(args);
        } catch (CommandLine.ParameterException e) {
          refused.add(ROOT.relativize(doc) + ": ./epochstream " + args + " -> " + e.getMessage());
        }
      }
    }
    assertThat(refused).isEmpty();
    // The README alone documents demo, broker, stream, train, log, publish, epochs and replay.
    assertThat(checked).hasSizeGreaterThan(30);
  }

  @Test
  void everyDocumentedJavaCommandNamesAClassOnItsClassPath() throws IOException {
    List<String> checked = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Path doc : docs()) {
      Matcher m = JAVA.matcher(Files.readString(doc).replace("\n  ", " "));
      while (m.find()) {
        String classPath = m.group(1);
        String className = m.group(2);
        (onClassPath(classPath, className) ? checked : missing).add(ROOT.relativize(doc) + ": " + className + " on " + classPath);
      }
    }
    assertThat(missing).isEmpty();
    assertThat(checked).hasSizeGreaterThan(5);
  }

  private static boolean onClassPath(String classPath, String className) {
    String file = className.replace('.', '/') + ".class";
    for (String entry : classPath.split(":")) {
      if (entry.endsWith("/lib/*")) {
        // The dependencies: on this test's class path, beside the project's own classes.
        if (!className.startsWith("io.epochstream.") && DocumentedCommandsTest.class.getClassLoader().getResource(file) != null) {
          return true;
        }
      } else if (entry.endsWith(".jar")) {
        Path module = ROOT.resolve(entry).getParent().getParent();
        if (Files.exists(module.resolve("target/classes").resolve(file))) {
          return true;
        }
      }
    }
    return false;
  }

  static List<String> commands(String markdown) {
    List<String> out = new ArrayList<>();
    boolean inBlock = false;
    for (String line : markdown.split("\n")) {
      if (line.strip().startsWith("```")) {
        inBlock = !inBlock;
        continue;
      }
      Matcher alone = LINE.matcher(line);
      if (inBlock && alone.matches()) {
        out.add(alone.group(1));
      } else if (!inBlock) {
        Matcher span = SPAN.matcher(line);
        while (span.find()) {
          out.add(span.group(1));
        }
      }
    }
    return out;
  }

  /** Shell words up to a comment, pipe, background or redirection; quotes kept out. */
  static List<String> words(String args) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    char quote = 0;
    boolean inWord = false;
    for (char c : args.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else if ((c == '#' && !inWord) || c == '|' || c == '&' || c == '>' || c == '<' || c == ';') {
        break;
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /** Usage notation, not a command: {@code [--x]}, a table's {@code a\|b}, {@code …}, {@code <run>}. */
  private static boolean isUsageNotation(String args) {
    return args.contains("[") || args.contains("…") || args.contains("\\|") || args.contains("...") || args.contains("<");
  }

  private static List<Path> docs() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("BENCHMARKS.md")));
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  private static Path findRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("docs")) && Files.exists(p.resolve("README.md")) && Files.exists(p.resolve("epochstream"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
  }
}
