package io.epochstream.cli;

import java.util.ServiceLoader;
import picocli.CommandLine;

/**
 * A subcommand shipped in a jar of its own that joins {@code epochstream} when that jar is on the
 * class path, registered in {@code META-INF/services}. The benchmark harness is one: the launcher
 * of a source checkout puts it on the class path, the product jar and the image do not carry it.
 */
public interface AddOnCommand {
  /** The picocli command object (a {@code @Command}-annotated instance). */
  Object command();

  /** Adds every add-on command found on the class path to {@code cli}, after the built-in ones. */
  static void addAll(CommandLine cli) {
    for (AddOnCommand addOn : ServiceLoader.load(AddOnCommand.class)) {
      cli.addSubcommand(addOn.command());
    }
  }
}
