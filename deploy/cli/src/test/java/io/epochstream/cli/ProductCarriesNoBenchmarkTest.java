package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * deploy's class path is the product's (its jar, target/lib, the image): the benchmark harness and
 * JMH live in deploy/bench, so neither is here and {@code bench} is not a command.
 */
class ProductCarriesNoBenchmarkTest {
  @Test
  void neitherTheHarnessNorJmhIsOnTheProductsClassPath() {
    assertThatThrownBy(() -> Class.forName("io.epochstream.bench.StreamBenchmark")).isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.epochstream.bench.BenchCommand")).isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("org.openjdk.jmh.runner.Runner")).isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void benchIsNotACommandOfTheProduct() {
    CliRun.Outcome o = CliRun.run("bench", "--quick");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err().strip().lines()).hasSize(1);
  }
}
