package io.epochstream.cli;

import io.epochstream.usage.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when its flag is not given: the environment
 * ({@code --world-size} ← {@code EPOCHSTREAM_WORLD_SIZE}), then a properties file ({@code
 * world-size=2}, or {@code train.world-size=2} for one command only), then the built-in default.
 * Flags beat all three because picocli consults a default provider only for options not on the
 * command line. Remembers which source answered, for the start-up printout.
 */
final class ConfigSources implements IDefaultValueProvider {
  static final String ENV_PREFIX = "EPOCHSTREAM_";
  /** The environment variable naming the properties file, when {@code --config} is not given. */
  static final String CONFIG_ENV = ENV_PREFIX + "CONFIG";

  private final Map<String, String> env;
  private final Properties file;
  private final Path filePath;
  private final Map<ArgSpec, String> answeredBy = new IdentityHashMap<>();

  private ConfigSources(Map<String, String> env, Properties file, Path filePath) {
    this.env = env;
    this.file = file;
    this.filePath = filePath;
  }

  /**
   * The sources for one command line: the file named by {@code --config FILE} in {@code args}, else
   * by {@code EPOCHSTREAM_CONFIG}, else none. A named file that cannot be read is a usage error.
   */
  static ConfigSources of(Map<String, String> env, String[] args) {
    Path path = configFlag(args);
    if (path == null && env.get(CONFIG_ENV) != null && !env.get(CONFIG_ENV).isBlank()) {
      path = Path.of(env.get(CONFIG_ENV));
    }
    Properties props = new Properties();
    if (path != null) {
      try (InputStream in = Files.newInputStream(path)) {
        props.load(in);
      } catch (IOException e) {
        throw new UsageException("cannot read the configuration file " + path + ": " + e.getMessage());
      }
    }
    return new ConfigSources(env, props, path);
  }

  private static Path configFlag(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        return Path.of(args[i].substring("--config=".length()));
      }
    }
    return null;
  }

  static String envName(OptionSpec option) {
    return ENV_PREFIX + key(option).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The long name without its dashes: the properties-file key. */
  static String key(OptionSpec option) {
    return option.longestName().replaceFirst("^-+", "");
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp() || key(option).equals("config")) {
      return null;
    }
    String fromEnv = env.get(envName(option));
    if (fromEnv != null) {
      answeredBy.put(arg, envName(option));
      return fromEnv;
    }
    String command = option.command() == null ? null : option.command().name();
    String qualified = command == null ? null : command + "." + key(option);
    if (qualified != null && file.containsKey(qualified)) {
      answeredBy.put(arg, filePath + " (" + qualified + ")");
      return file.getProperty(qualified);
    }
    if (file.containsKey(key(option))) {
      answeredBy.put(arg, filePath + " (" + key(option) + ")");
      return file.getProperty(key(option));
    }
    return null;
  }

  /** The environment variable or file entry that gave this option its value, or null. */
  String source(ArgSpec arg) {
    return answeredBy.get(arg);
  }
}
