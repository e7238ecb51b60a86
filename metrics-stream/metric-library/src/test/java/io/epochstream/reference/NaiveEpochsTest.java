package io.epochstream.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The naive reference the end-to-end tests compare the stream app with is itself checked against
 * figures TorchMetrics computed (reference/run-epochs.json): whole epochs of two ranks, with a repeated
 * step, late steps, a rank outside the world size and a class out of range mixed in.
 */
class NaiveEpochsTest {
  private static final EpochFixture FIXTURE = EpochFixture.load();

  private static List<SummaryView> views(List<ExpectedEpoch> epochs) {
    List<SummaryView> out = new ArrayList<>();
    epochs.forEach(e -> out.add(new SummaryView(e.run(), e.stage(), e.epoch(), true, e.ranks(), e.steps(), e.samples(), e.metrics(),
        e.droppedNans())));
    return out;
  }

  @Test
  void theNaiveReferenceGivesTorchMetricsFiguresForEveryEpochOfTheFixture() {
    assertThat(FIXTURE.source()).startsWith("computed by TorchMetrics 1.9");
    List<ExpectedEpoch> naive = NaiveEpochs.of(SentLines.parse(FIXTURE.linesWithRefused()));
    assertThat(naive).extracting(ExpectedEpoch::key).containsExactly("tm-fixture/train/0", "tm-fixture/val/0", "tm-fixture/train/1",
        "tm-fixture/val/1");
    SummaryView.assertSameEpochs(FIXTURE.epochs(), views(naive), EpochFixture.TOLERANCE);
  }

  @Test
  void theFixtureHoldsWhatAStreamAppMustPassOverAndRefuse() {
    assertThat(FIXTURE.passedOver()).as("repeated and late steps").isEqualTo(2 + 4);
    assertThat(FIXTURE.refused()).hasSize(16);
    // Counting the passed-over and refused lines changes the figures: the fixture can tell.
    List<Sent> everything = new ArrayList<>();
    for (Sent s : SentLines.parse(FIXTURE.linesWithRefused())) {
      everything.add(s instanceof Sent.Step st ? new Sent.Step(st.run(), st.stage(), st.epoch(), st.rank() % 2, st.step() + everything.size() * 10_000L,
          st.batchSize(), st.loss(), st.preds(), st.target(), st.scalars()) : s);
    }
    assertThatThrownBy(() -> SummaryView.assertSameEpochs(FIXTURE.epochs(), views(NaiveEpochs.of(everything)), EpochFixture.TOLERANCE))
        .hasMessageContaining("samples");
  }

  @Test
  void aSecondSummaryOfAnEpochAMissingOneAndAWrongValueAreEachReported() {
    List<SummaryView> views = new ArrayList<>(views(FIXTURE.epochs()));
    SummaryView first = views.get(0);
    double[] acc = first.metrics().get("acc").clone();
    acc[0] += 1e-6;
    java.util.Map<String, double[]> changed = new java.util.LinkedHashMap<>(first.metrics());
    changed.put("acc", acc);
    views.set(1, new SummaryView(first.run(), first.stage(), first.epoch(), true, first.ranks(), first.steps(), first.samples(), changed,
        first.droppedNans()));
    assertThatThrownBy(() -> SummaryView.assertSameEpochs(FIXTURE.epochs(), views))
        .hasMessageContaining("tm-fixture/train/0: a second summary").hasMessageContaining("tm-fixture/val/0: missing");
    views.set(1, views(FIXTURE.epochs()).get(1));
    views.set(0, new SummaryView(first.run(), first.stage(), first.epoch(), true, first.ranks(), first.steps(), first.samples(), changed,
        first.droppedNans()));
    assertThatThrownBy(() -> SummaryView.assertSameEpochs(FIXTURE.epochs(), views)).hasMessageContaining("tm-fixture/train/0: acc");
  }
}
