package io.epochstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/** JMH's annotation processor runs in this module: its benchmark list names the micro-benchmarks. */
class JmhBenchmarkListTest {
  @Test
  void theMetricUpdateBenchmarksAreListedForJmh() {
    Collection<BenchmarkListEntry> entries = BenchmarkList.defaultList()
        .getAll(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), List.of());
    assertThat(entries).extracting(BenchmarkListEntry::getUsername)
        .contains(MetricUpdateBenchmark.class.getName() + ".update", MetricSetUpdateBenchmark.class.getName() + ".update");
  }
}
