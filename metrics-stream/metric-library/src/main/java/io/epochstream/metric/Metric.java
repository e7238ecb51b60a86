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
 * {@link #read} work on the declared states alone, so a subclass only writes prepare and compute —
 * the same idea as Flink's AggregateFunction (create/add/merge/result).
 *
 * <p>An update has two phases so that a set of metrics can take a batch atomically: {@link
 * #prepare} validates the whole batch and computes what it adds without touching any state (it
 * throws {@link IllegalArgumentException} for invalid input), and the returned {@link Update}
 * applies it and cannot fail. {@link EpochState} prepares every metric before applying any.
 */
public abstract class Metric {
  private final List<MetricState> states = new ArrayList<>();

  protected final MetricState addState(String name, int length, Reduction reduction) {
    return register(MetricState.fixed(name, length, reduction));
  }

  protected final MetricState addCatState(String name) {
    return register(MetricState.cat(name));
  }

  /** A state merged with the metric's other JOINT states by {@link #mergeJoint} (see {@link Reduction#JOINT}). */
  protected final MetricState addJointState(String name, int length) {
    return register(MetricState.fixed(name, length, Reduction.JOINT));
  }

  /**
   * Combines another copy's JOINT states into this metric's: {@code mine[i]} is the live array of the
   * i-th JOINT state in declaration order, {@code theirs[i]} the other copy's (same length, checked).
   * Merging an empty copy (the states' identity) must change nothing, and merging into an empty one
   * must give the other copy. Only a metric that declares JOINT states overrides this.
   */
  protected void mergeJoint(double[][] mine, double[][] theirs) {
    throw new IllegalStateException(getClass().getSimpleName() + " declares JOINT states but does not override mergeJoint");
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

  /** A validated batch's contribution, ready to apply. Applying must not throw. */
  public interface Update {
    /** Nothing to add (e.g. a batch without predictions, for a metric that needs them). */
    Update NONE = () -> { };

    void apply();

    /** How many values the apply appends to {@link Reduction#CAT} states (their growth). */
    default long appendedValues() {
      return 0;
    }
  }

  /**
   * Validates one batch and returns its contribution without changing any state. Throws {@link
   * IllegalArgumentException} for invalid input.
   */
  public abstract Update prepare(Batch batch);

  /**
   * Refuses ({@link IllegalArgumentException}) merging state that appends {@code values} values to
   * this metric's {@link Reduction#CAT} states — state a trainer already folded ({@code --publish
   * state}), which never passes through {@link #prepare}: a metric that caps or shapes what it keeps
   * checks it here. Changes nothing. Default: anything fits.
   */
  public void refuseMerge(long values) {
    // no cap
  }

  /** Folds one batch into the states: {@link #prepare}, then apply. */
  public final void update(Batch batch) {
    prepare(batch).apply();
  }

  /** The bytes {@link #write} writes now: 4 per state plus 8 per slot. */
  public final long serializedBytes() {
    long n = 0;
    for (MetricState s : states) {
      n += 4L + 8L * s.size();
    }
    return n;
  }

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
    List<double[]> values = new ArrayList<>(states.size());
    List<Integer> sizes = new ArrayList<>(states.size());
    for (int i = 0; i < states.size(); i++) {
      MetricState theirs = other.states.get(i);
      if (theirs.reduction() != states.get(i).reduction() || !theirs.name().equals(states.get(i).name())) {
        throw new IllegalArgumentException("cannot merge state " + theirs.name() + " into " + states.get(i).name());
      }
      values.add(theirs.values());
      sizes.add(theirs.size());
    }
    mergeValues(values, sizes);
  }

  /**
   * Combines another copy's state values ({@code values.get(i)}: the first {@code sizes.get(i)}
   * slots of state i) by the declared reductions: slot by slot, appended (CAT), or, for the JOINT
   * states together, by {@link #mergeJoint}. Used by {@link #merge} and by state deltas.
   */
  final void mergeValues(List<double[]> values, List<Integer> sizes) {
    List<double[]> mine = new ArrayList<>();
    List<double[]> theirs = new ArrayList<>();
    for (int i = 0; i < states.size(); i++) {
      MetricState s = states.get(i);
      if (s.reduction() == Reduction.JOINT) {
        s.checkSlots(sizes.get(i));
        mine.add(s.values());
        theirs.add(values.get(i));
      } else {
        s.mergeValues(values.get(i), sizes.get(i));
      }
    }
    if (!mine.isEmpty()) {
      mergeJoint(mine.toArray(double[][]::new), theirs.toArray(double[][]::new));
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

  final void writeHead(DataOutput out) throws IOException {
    for (MetricState s : states) {
      s.writeHead(out);
    }
  }

  final boolean hasUnpersisted() {
    for (MetricState s : states) {
      if (s.hasUnpersisted()) {
        return true;
      }
    }
    return false;
  }

  final void writeAppended(DataOutput out) throws IOException {
    for (MetricState s : states) {
      s.writeAppended(out);
    }
  }

  final void readHead(DataInput in) throws IOException {
    for (MetricState s : states) {
      s.readHead(in);
    }
  }

  final void readAppended(DataInput in) throws IOException {
    for (MetricState s : states) {
      s.readAppended(in);
    }
  }

  final void finishRead() throws IOException {
    for (MetricState s : states) {
      s.finishRead();
    }
  }
}
