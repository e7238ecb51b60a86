package io.epochstream.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The configuration a command runs with, one line per option with where its value came from, and
 * the Kafka client properties of {@code --client-config}: what an operator reads first when a
 * service misbehaves. Secrets are masked.
 */
final class EffectiveConfig {
  /** Kafka client keys (and option names) whose values are credentials. */
  private static final Pattern SECRET = Pattern.compile(
      "(?i).*(password|secret|jaas|token|credential|user\\.info|keystore\\.key|\\.key$).*");
  static final String MASK = "********";

  private EffectiveConfig() {}

  static void print(ParseResult parsed, ConfigSources sources, PrintWriter out) {
    CommandSpec spec = parsed.commandSpec();
    out.println(spec.qualifiedName() + " configuration (flag > " + ConfigSources.ENV_PREFIX + "* > --config file > default):");
    Path clientConfig = null;
    for (OptionSpec option : spec.options()) {
      if (option.usageHelp() || option.versionHelp() || option.scopeType() == picocli.CommandLine.ScopeType.INHERIT) {
        continue;
      }
      Object value = option.getValue();
      String source = parsed.hasMatchedOption(option) ? "flag"
          : sources.source(option) != null ? sources.source(option) : "default";
      String shown = value == null ? "-" : SECRET.matcher(ConfigSources.key(option)).matches() ? MASK : render(value);
      out.printf("  %-22s %-28s %s%n", option.longestName(), shown, source);
      if (ConfigSources.key(option).equals("client-config") && value instanceof Path p) {
        clientConfig = p;
      }
    }
    if (clientConfig != null) {
      out.println("  kafka client properties from " + clientConfig + ":");
      new TreeMap<>(KafkaOptions.loadProperties(clientConfig)).forEach((k, v) ->
          out.printf("    %s=%s%n", k, masked(k, v)));
    }
    out.flush();
  }

  static String masked(String key, Object value) {
    return SECRET.matcher(key).matches() ? MASK : String.valueOf(value);
  }

  private static String render(Object value) {
    if (value instanceof Object[] array) {
      return String.join(",", java.util.Arrays.stream(array).map(String::valueOf).toList());
    }
    if (value instanceof int[] array) {
      return String.join(",", java.util.Arrays.stream(array).mapToObj(Integer::toString).toList());
    }
    if (value instanceof Map<?, ?> map) {
      return map.toString();
    }
    return String.valueOf(value);
  }
}
