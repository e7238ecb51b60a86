package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where an option's value comes from: a flag beats {@code EPOCHSTREAM_*}, which beats the
 * {@code --config} file (a command-qualified key beats a plain one), which beats the default; the
 * printout says which, and never shows a secret.
 */
class ConfigPrecedenceTest {
  @TempDir Path dir;

  /** The printout's line for an option: {value, source}. */
  static String[] line(CliRun.Outcome o, String option) {
    return Arrays.stream(o.out().split("\n")).map(String::trim).filter(l -> l.startsWith(option + " "))
        .findFirst().map(l -> l.substring(option.length()).trim().split("\\s+", 2))
        .orElseThrow(() -> new AssertionError(option + " not in:\n" + o.out()));
  }

  static CliRun.Outcome run(Map<String, String> env, String... args) {
    return CliRun.run(env, args);
  }

  @Test
  void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
    Path file = dir.resolve("epochstream.properties");
    Files.writeString(file, """
        world-size=4
        rank=1
        epochs=7
        train.epochs=9
        stream.epochs=11
        batch-size=32
        """);
    Map<String, String> env = new HashMap<>();
    env.put("EPOCHSTREAM_CONFIG", file.toString());
    env.put("EPOCHSTREAM_WORLD_SIZE", "8");
    env.put("EPOCHSTREAM_RANK", "3");

    CliRun.Outcome o = run(env, "train", "--rank", "5", "--print-config");

    assertThat(o.code()).as(o.err()).isZero();
    assertThat(line(o, "--rank")).containsExactly("5", "flag");
    assertThat(line(o, "--world-size")).containsExactly("8", "EPOCHSTREAM_WORLD_SIZE");
    assertThat(line(o, "--epochs")).containsExactly("9", file + " (train.epochs)");
    assertThat(line(o, "--batch-size")).containsExactly("32", file + " (batch-size)");
    assertThat(line(o, "--lr")).containsExactly("0.01", "default");
  }

  @Test
  void theConfigFlagNamesTheFileAndBeatsTheEnvironmentsFile() throws Exception {
    Path envFile = dir.resolve("env.properties");
    Path flagFile = dir.resolve("flag.properties");
    Files.writeString(envFile, "http=127.0.0.1:1111\n");
    Files.writeString(flagFile, "http=127.0.0.1:2222\n");

    CliRun.Outcome o = run(Map.of("EPOCHSTREAM_CONFIG", envFile.toString()), "stream", "--config", flagFile.toString(), "--print-config");

    assertThat(o.code()).as(o.err()).isZero();
    assertThat(line(o, "--http")).containsExactly("127.0.0.1:2222", flagFile + " (http)");
  }

  @Test
  void secretsInTheClientConfigAreMaskedOthersShown() throws Exception {
    Path client = dir.resolve("client.properties");
    Files.writeString(client, """
        security.protocol=SASL_PLAINTEXT
        sasl.mechanism=PLAIN
        sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";
        ssl.truststore.password=hunter2
        """);

    CliRun.Outcome o = run(Map.of("EPOCHSTREAM_CLIENT_CONFIG", client.toString()), "log", "--print-config");

    assertThat(o.code()).as(o.err()).isZero();
    assertThat(line(o, "--client-config")).containsExactly(client.toString(), "EPOCHSTREAM_CLIENT_CONFIG");
    assertThat(o.out()).contains("security.protocol=SASL_PLAINTEXT", "sasl.mechanism=PLAIN",
        "sasl.jaas.config=" + EffectiveConfig.MASK, "ssl.truststore.password=" + EffectiveConfig.MASK);
    assertThat(o.out() + o.err()).doesNotContain("alice-secret").doesNotContain("hunter2");
  }

  @Test
  void aBadValueFromTheEnvironmentSaysWhereItCameFrom() {
    CliRun.Outcome o = run(Map.of("EPOCHSTREAM_WORLD_SIZE", "two"), "train", "--print-config");

    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err().strip()).doesNotContain("\n").contains("--world-size", "'two'", "EPOCHSTREAM_WORLD_SIZE");
  }

  @Test
  void aMissingConfigFileIsAOneLineUsageError() {
    CliRun.Outcome o = run(Map.of(), "stream", "--config", dir.resolve("nope.properties").toString());

    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err().strip()).doesNotContain("\n").contains("cannot read the configuration file", "nope.properties");
  }
}
