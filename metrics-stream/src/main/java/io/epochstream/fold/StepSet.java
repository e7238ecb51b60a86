package io.epochstream.fold;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The step numbers a rank has counted in an epoch, as sorted, disjoint, inclusive ranges: steps are
 * almost always consecutive, so this stays a range or two whatever the epoch's length. The one
 * place that decides what a duplicate step is.
 */
final class StepSet {
  private final List<long[]> ranges = new ArrayList<>();

  /** Whether {@code step} was already counted. */
  boolean contains(long step) {
    int i = search(step);
    return i < ranges.size() && step >= ranges.get(i)[0] && step <= ranges.get(i)[1];
  }

  /** Counts {@code step}; false (and nothing changes) when it was already counted. */
  boolean add(long step) {
    int i = search(step - 1);
    if (i < ranges.size()) {
      long[] r = ranges.get(i);
      if (step >= r[0] && step <= r[1]) {
        return false;
      }
      if (step == r[1] + 1) {
        r[1] = step;
        if (i + 1 < ranges.size() && ranges.get(i + 1)[0] == step + 1) {
          r[1] = ranges.remove(i + 1)[1];
        }
        return true;
      }
      if (step == r[0] - 1) {
        r[0] = step;
        return true;
      }
    }
    ranges.add(i, new long[] {step, step});
    return true;
  }

  /** The highest step counted, -1 when none. */
  long last() {
    return ranges.isEmpty() ? -1 : ranges.get(ranges.size() - 1)[1];
  }

  /** Index of the first range whose end is at or after {@code step}: a binary search. */
  private int search(long step) {
    int lo = 0;
    int hi = ranges.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ranges.get(mid)[1] < step) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  void write(DataOutput out) throws IOException {
    out.writeInt(ranges.size());
    for (long[] r : ranges) {
      out.writeLong(r[0]);
      out.writeLong(r[1]);
    }
  }

  static StepSet read(DataInput in) throws IOException {
    StepSet set = new StepSet();
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("negative step range count " + n);
    }
    for (int i = 0; i < n; i++) {
      set.ranges.add(new long[] {in.readLong(), in.readLong()});
    }
    return set;
  }

  int serializedBytes() {
    return Integer.BYTES + 2 * Long.BYTES * ranges.size();
  }
}
