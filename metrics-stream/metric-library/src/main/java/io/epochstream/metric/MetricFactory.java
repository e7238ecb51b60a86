package io.epochstream.metric;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * Builds a metric from its configured name and parameters — TorchMetrics' task-wrapper names
 * (accuracy, f1_score, auroc, ...) with TorchMetrics' parameter names and defaults. The names come
 * from the {@link MetricFamily} implementations that {@link ServiceLoader} finds through the
 * thread's context class loader (so a plugins jar on the classpath adds metrics); an unknown name or
 * an unused (misspelt) parameter is a {@link MetricConfigException}.
 */
public final class MetricFactory {
  /** The families each class loader sees, found once per loader. */
  private static final Map<ClassLoader, Map<String, MetricFamily>> REGISTRIES = new WeakHashMap<>();

  private MetricFactory() {}

  public static Metric create(String metric, Map<String, String> jsonParams) {
    return create(new MetricParams(metric, jsonParams));
  }

  public static Metric create(MetricParams params) {
    Map<String, MetricFamily> registry = registry();
    MetricFamily family = registry.get(params.metric());
    if (family == null) {
      throw new MetricConfigException("metric", "unknown metric '" + params.metric() + "' (known: "
          + String.join(", ", registry.keySet()) + ")");
    }
    Metric metric;
    try {
      metric = family.create(params);
    } catch (MetricConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // A check inside a metric's constructor that names no parameter: still a config error, of the metric.
      throw new MetricConfigException("metric", params.metric() + ": " + e.getMessage());
    }
    params.rejectUnused();
    return metric;
  }

  public static Set<String> names() {
    return Collections.unmodifiableSet(registry().keySet());
  }

  /** Every registered family's example configurations, for the library's generic tests. */
  public static List<MetricFamily.Example> examples() {
    return registry().values().stream().distinct().flatMap(f -> f.examples().stream()).toList();
  }

  /**
   * The registry of the context class loader. A name registered by two families, or a family that
   * cannot be loaded, is an {@link IllegalStateException} naming both sources: which one was meant
   * cannot be guessed.
   */
  static Map<String, MetricFamily> registry() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = MetricFactory.class.getClassLoader();
    }
    synchronized (REGISTRIES) {
      Map<String, MetricFamily> registry = REGISTRIES.get(loader);
      if (registry == null) {
        registry = load(loader);
        REGISTRIES.put(loader, registry);
      }
      return registry;
    }
  }

  private static Map<String, MetricFamily> load(ClassLoader loader) {
    Map<String, MetricFamily> registry = new TreeMap<>();
    try {
      for (MetricFamily family : ServiceLoader.load(MetricFamily.class, loader)) {
        for (String name : family.names()) {
          MetricFamily earlier = registry.putIfAbsent(name, family);
          if (earlier != null) {
            throw new IllegalStateException("metric '" + name + "' is registered twice: by " + source(earlier)
                + " and by " + source(family) + "; remove one of them from the classpath");
          }
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException("a metric family could not be loaded: " + e.getMessage(), e);
    }
    return Collections.unmodifiableMap(registry);
  }

  private static String source(MetricFamily family) {
    var codeSource = family.getClass().getProtectionDomain().getCodeSource();
    return family.getClass().getName() + (codeSource == null ? "" : " (" + codeSource.getLocation() + ")");
  }
}
