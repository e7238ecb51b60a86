package io.epochstream.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/**
 * One value per global step (rank 0's training loss), thinned to at most {@link #MAX_POINTS}: past
 * that, every other point goes and from then on only every {@code stride}-th step is kept, so the
 * line stays evenly spaced over the whole run. Primitive arrays: 16 bytes a point (the step, the
 * value as a float, the wall time as float seconds after the first point: a 0.06 s resolution
 * after 11 days).
 */
final class StepLine {
  /** A page draws a few thousand points per line. */
  static final int MAX_POINTS = 4000;

  private long[] steps = new long[16];
  private float[] values = new float[16];
  private float[] seconds = new float[16];
  private int size;
  private long firstTime;
  private int stride = 1;
  private long seen;

  void add(long step, double value, long time) {
    if (seen++ % stride != 0) {
      return;
    }
    if (size == 0) {
      firstTime = time;
    }
    if (size == steps.length) {
      int grown = Math.min(MAX_POINTS, size * 2);
      steps = Arrays.copyOf(steps, grown);
      values = Arrays.copyOf(values, grown);
      seconds = Arrays.copyOf(seconds, grown);
    }
    steps[size] = step;
    values[size] = (float) value;
    seconds[size] = (time - firstTime) / 1000f;
    size++;
    if (size >= MAX_POINTS) {
      int kept = 0;
      for (int i = 0; i < size; i += 2, kept++) {
        steps[kept] = steps[i];
        values[kept] = values[i];
        seconds[kept] = seconds[i];
      }
      size = kept;
      stride *= 2;
    }
  }

  int size() {
    return size;
  }

  /** {@code {"step": [...], <valueName>: [...], "time": [epoch ms...]}}; a non-finite value is null. */
  void write(ObjectNode out, String valueName) {
    ArrayNode s = out.putArray("step");
    ArrayNode v = out.putArray(valueName);
    ArrayNode t = out.putArray("time");
    for (int i = 0; i < size; i++) {
      s.add(steps[i]);
      if (Float.isFinite(values[i])) {
        v.add(values[i]);
      } else {
        v.addNull();
      }
      t.add(firstTime + Math.round(seconds[i] * 1000.0));
    }
  }
}
