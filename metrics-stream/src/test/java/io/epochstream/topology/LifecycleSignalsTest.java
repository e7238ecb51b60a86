package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.schema.RankPartial;
import org.junit.jupiter.api.Test;

class LifecycleSignalsTest {
  private final TaskStores stores = new TaskStores();

  private java.util.List<String> sent() {
    return stores.context.forwarded().stream()
        .map(f -> f.record().key() + " " + ((RankPartial) f.record().value()).getSignal() + " -> " + f.childName().orElse("?"))
        .toList();
  }

  @Test
  void aRunIsHeartbeatAtMostOncePerIntervalAndItsEndSignalsGoAtOnce() {
    LifecycleSignals signals = new LifecycleSignals(stores.context, "partials", 1_000);
    long t0 = 50_000; // wall clock far from 0: an interval is a difference of times
    signals.heard("r", t0, 0);
    signals.heard("r", t0 + 999, 999);
    signals.heard("q", t0 + 500, 500);
    signals.heard("r", t0 + 1_000, 1_000);
    signals.send("r", LifecycleSignal.DELETED, 1_100);
    signals.heard("r", t0 + 1_200, 1_200); // after the end signal the next event beats again
    assertThat(sent()).containsExactly("r alive -> partials", "q alive -> partials", "r alive -> partials",
        "r deleted -> partials", "r alive -> partials");
    RankPartial p = (RankPartial) stores.context.forwarded().get(0).record().value();
    assertThat(p.getEpoch()).isEqualTo(-1);
    assertThat(p.getRank()).isEqualTo(-1);
    assertThat(p.getState().remaining()).isZero();
  }

  @Test
  void everySignalReadsBackFromItsWireNameAndAnUnknownNameIsNone() {
    for (LifecycleSignal s : LifecycleSignal.values()) {
      assertThat(LifecycleSignal.of(s.wire())).isEqualTo(s);
    }
    assertThat(LifecycleSignal.of("alive")).isEqualTo(LifecycleSignal.ALIVE);
    assertThat(LifecycleSignal.of("resurrected")).isNull();
  }
}
