package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EarlyStopping;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunStarted;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunTrackerTest {
  private final TaskStores stores = new TaskStores();

  private static EpochSummary summary(int epoch, double loss) {
    return EpochSummary.newBuilder().setRun("r").setStage("val").setEpoch(epoch).setComplete(true).setRanks(1).setSteps(1)
        .setSamples(1).setMetrics(Map.of("loss", new MetricValue(List.of(), List.of(loss)))).setFirstEventTime(0)
        .setLastEventTime(0).setClosedTime(0).build();
  }

  @Test
  void theBestSoFarGoesIntoEverySummaryAndTheStopIsSignalledOnceAfterPatience() {
    RunStarted config = RunStarted.newBuilder().setBest(Map.of("loss", "min"))
        .setEarlyStopping(new EarlyStopping("loss", "val", "min", 2, 0.0)).build();
    RunTracker tracker = new RunTracker(stores.of(StreamStores.RUN_TRACKING));
    double[] losses = {0.9, 0.5, 0.6, 0.7, 0.8, 0.4};
    List<Integer> stoppedAt = new ArrayList<>();
    List<Integer> bestEpochs = new ArrayList<>();
    for (int epoch = 0; epoch < losses.length; epoch++) {
      EpochSummary s = summary(epoch, losses[epoch]);
      EarlyStop stop = tracker.track(config, s);
      if (stop != null) {
        stoppedAt.add(stop.getEpoch());
        assertThat(stop.getBestEpoch()).isEqualTo(1);
      }
      bestEpochs.add(s.getBest().get("loss").getEpoch());
    }
    // 0.5 at epoch 1; 0.6 and 0.7 do not improve: patience 2 is spent at epoch 3; 0.4 improves later but the stop was sent.
    assertThat(stoppedAt).containsExactly(3);
    assertThat(bestEpochs).containsExactly(0, 1, 1, 1, 1, 5);
  }

  @Test
  void aRunThatTracksNothingStoresNothing() {
    var store = stores.of(StreamStores.RUN_TRACKING);
    assertThat(new RunTracker(store).track(RunStarted.newBuilder().build(), summary(0, 1.0))).isNull();
    assertThat(store.all()).toIterable().isEmpty();
  }
}
