package io.epochstream.metric;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
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
      n += s.writtenBytes();
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

  final void write(ByteBuffer out) {
    for (MetricState s : states) {
      s.write(out);
    }
  }

  final void writeHead(ByteBuffer out) {
    for (MetricState s : states) {
      s.writeHead(out);
    }
  }

  final long headBytes() {
    long n = 0;
    for (MetricState s : states) {
      n += s.headBytes();
    }
    return n;
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
