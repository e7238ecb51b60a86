package io.epochstream.bench;

/**
 * How a benchmark class runs alone from a source checkout: the product jar (its dependencies come
 * through its manifest), the bench jar, and JMH's libraries beside it. BENCHMARKS.md prints these
 * commands, and a test checks that each class it names is on that class path.
 */
final class BenchJar {
  static final String CLASS_PATH = "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*";

  private BenchJar() {}

  /** The command line that runs {@code main} with these arguments. */
  static String command(Class<?> main, String arguments) {
    return "java -cp \"" + CLASS_PATH + "\" " + main.getName() + (arguments.isEmpty() ? "" : " " + arguments);
  }
}
