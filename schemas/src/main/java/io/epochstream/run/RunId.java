package io.epochstream.run;

import java.util.ArrayList;
import java.util.List;

/**
 * What a run id may be — the one rule the trainer, {@code publish}, the stream app and the loggers
 * share. A run id is 1 to {@value #MAX_LENGTH} characters: letters and digits of any script and
 * {@code . _ - + = @ : ~}, in segments separated by {@code /}. A hierarchical id such as
 * {@code exp1/lr0.01} (TensorBoard's usual way to group runs) therefore becomes nested directories
 * under a logger's directory; no segment may be empty, {@code .} or {@code ..}, so no id is an
 * absolute path, leaves that directory or names it. Spaces, control characters, backslashes and
 * shell or CSV specials are refused: a run id is also a file name, a record key and a CSV path.
 */
public final class RunId {
  public static final int MAX_LENGTH = 200;
  /** What the rule allows besides letters and digits, for messages and docs/wire-formats.md. */
  public static final String PUNCTUATION = "._-+=@:~";

  private RunId() {}

  /** Why {@code run} is not a valid run id, or null when it is. */
  public static String problem(String run) {
    if (run == null || run.isEmpty()) {
      return "run id is empty";
    }
    if (run.length() > MAX_LENGTH) {
      return "run id " + quoted(run.substring(0, 40)) + "… is " + run.length() + " characters long, more than " + MAX_LENGTH;
    }
    for (int i = 0; i < run.length(); ) {
      int c = run.codePointAt(i);
      if (!Character.isLetterOrDigit(c) && PUNCTUATION.indexOf(c) < 0 && c != '/') {
        return "run id " + quoted(run) + " holds " + describe(c) + " at position " + i
            + " (allowed: letters, digits, '" + PUNCTUATION + "' and '/' between segments)";
      }
      i += Character.charCount(c);
    }
    for (String segment : run.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "run id " + quoted(run) + " has an empty, '.' or '..' segment"
            + " (a '/' separates non-empty names: no leading, trailing or double '/')";
      }
    }
    return null;
  }

  /** The run id itself, or an {@link IllegalArgumentException} that says why it is refused. */
  public static String check(String run) {
    String problem = problem(run);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return run;
  }

  /** The segments of a valid run id: one directory level each. */
  public static List<String> segments(String run) {
    check(run);
    return new ArrayList<>(List.of(run.split("/")));
  }

  /** The id in quotes, control and other invisible characters escaped, so a message stays one line. */
  public static String quoted(String run) {
    return "'" + printable(run) + "'";
  }

  /**
   * Any name (a run id, a metric name) with control and other invisible characters escaped as
   * {@code \\uXXXX}: safe to print on a terminal, one line whatever it holds.
   */
  public static String printable(String name) {
    StringBuilder b = new StringBuilder();
    name.codePoints().forEach(c -> b.append(Character.isISOControl(c) || !visible(c)
        ? String.format("\\u%04x", c) : new String(Character.toChars(c))));
    return b.toString();
  }

  private static boolean visible(int c) {
    int type = Character.getType(c);
    return type != Character.FORMAT && type != Character.UNASSIGNED && type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR && type != Character.SURROGATE && type != Character.PRIVATE_USE;
  }

  private static String describe(int c) {
    if (Character.isISOControl(c) || !visible(c)) {
      return String.format("a control character (\\u%04x)", c);
    }
    return c == ' ' ? "a space" : "'" + new String(Character.toChars(c)) + "'";
  }
}
