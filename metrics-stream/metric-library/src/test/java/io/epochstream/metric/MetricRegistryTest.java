package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry is what ServiceLoader finds through the context class loader, each name once. */
class MetricRegistryTest {

  /** A second family claiming a built-in name, as a careless plugin would. */
  public static final class SecondAccuracy implements MetricFamily {
    @Override
    public Set<String> names() {
      return Set.of("accuracy");
    }

    @Override
    public Metric create(MetricParams params) {
      throw new AssertionError("never built");
    }

    @Override
    public List<Example> examples() {
      return List.of();
    }
  }

  @Test
  void builtInFamiliesAndSpecificityAreFoundThroughTheServiceFile() {
    assertThat(MetricFactory.names()).contains("accuracy", "confusion_matrix", "auroc", "average_precision",
        "mean_squared_error", "mean_absolute_error", "specificity");
    assertThat(MetricFactory.examples()).extracting(MetricFamily.Example::metric).containsAll(MetricFactory.names());
  }

  @Test
  void aNameRegisteredTwiceIsAnErrorNamingBothFamilies(@TempDir Path dir) throws Exception {
    Path services = dir.resolve("META-INF/services/" + MetricFamily.class.getName());
    Files.createDirectories(services.getParent());
    Files.writeString(services, SecondAccuracy.class.getName() + "\n");
    ClassLoader before = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
      Thread.currentThread().setContextClassLoader(loader);
      assertThatThrownBy(() -> MetricFactory.create("accuracy", Map.of("task", "\"binary\"")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("metric 'accuracy' is registered twice")
          .hasMessageContaining("ClassificationMetrics")
          .hasMessageContaining("SecondAccuracy")
          .hasMessageContaining(SecondAccuracy.class.getProtectionDomain().getCodeSource().getLocation().toString());
    } finally {
      Thread.currentThread().setContextClassLoader(before);
    }
  }

  /** Each class loader has its registry: a new one finds the built-in families again. */
  @Test
  void aNewClassLoaderFindsTheBuiltInFamilies() throws Exception {
    ClassLoader before = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[0], before)) {
      Thread.currentThread().setContextClassLoader(loader);
      assertThat(MetricFactory.registry()).containsKeys("accuracy", "auroc", "specificity");
    } finally {
      Thread.currentThread().setContextClassLoader(before);
    }
  }

  @Test
  void anUnknownNameListsTheRegisteredOnes() {
    assertThatThrownBy(() -> MetricFactory.create("specifity", Map.of()))
        .isInstanceOf(MetricConfigException.class)
        .hasMessageContaining("unknown metric 'specifity'")
        .hasMessageContaining("specificity");
  }

  @Test
  void specificityTakesNoZeroDivisionLikeTorchMetrics() {
    assertThatThrownBy(() -> MetricFactory.create("specificity", Map.of("task", "\"binary\"", "zero_division", "1")))
        .isInstanceOf(MetricConfigException.class)
        .hasMessageContaining("zero_division is not a parameter of specificity");
  }
}
