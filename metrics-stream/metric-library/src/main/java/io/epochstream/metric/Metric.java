package io.epochstream.metric;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A metric in the TorchMetrics sense: named states with declared reductions, {@link #update} per
 * batch, {@link #compute} at epoch end, {@link #reset} after. {@link #merge}, {@link #write} and
 * {@link #read} work on the declared states alone, so a subclass only writes update and compute —
 * the same idea as Flink's AggregateFunction (create/add/merge/result).
 */
public abstract class Metric {
  private final List<MetricState> states = new ArrayList<>();

  protected final MetricState addState(String name, int length, Reduction reduction) {
    return register(MetricState.fixed(name, length, reduction));
  }

  protected final MetricState addCatState(String name) {
    return register(MetricState.cat(name));
  }

  private MetricState register(MetricState state) {
    for (MetricState s : states) {
      if (s.name().equals(state.name())) {
        throw new IllegalArgumentException("duplicate state " + state.name());
      }
    }
    states.add(state);
    return state;
  }

  /** Folds one batch into the states. Throws {@link IllegalArgumentException} for invalid input. */
  public abstract void update(Batch batch);

  /** The metric's value from the current states; does not change them. */
  public abstract MetricResult compute();

  public List<MetricState> states() {
    return Collections.unmodifiableList(states);
  }

  /** Combines another instance of the same metric (same configuration) into this one. */
  public final void merge(Metric other) {
    if (other.getClass() != getClass() || other.states.size() != states.size()) {
      throw new IllegalArgumentException("cannot merge " + other.getClass().getSimpleName() + " into " + getClass().getSimpleName());
    }
    for (int i = 0; i < states.size(); i++) {
      states.get(i).mergeFrom(other.states.get(i));
    }
  }

  public final void reset() {
    states.forEach(MetricState::reset);
  }

  public final void write(DataOutput out) throws IOException {
    for (MetricState s : states) {
      s.write(out);
    }
  }

  public final void read(DataInput in) throws IOException {
    for (MetricState s : states) {
      s.read(in);
    }
  }
}
