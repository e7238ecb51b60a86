package io.epochstream.ops;

import java.util.Arrays;

/** Whether a service can do its work now: what {@code GET /ready} answers, with the reason when not. */
@FunctionalInterface
public interface Readiness {
  Check check();

  record Check(boolean ready, String reason) {
    public static final Check READY = new Check(true, "ready");

    public static Check notReady(String reason) {
      return new Check(false, reason);
    }
  }

  /** Ready when every part is; otherwise the first part's reason. */
  static Readiness all(Readiness... parts) {
    return () -> Arrays.stream(parts).map(Readiness::check).filter(c -> !c.ready()).findFirst().orElse(Check.READY);
  }
}
