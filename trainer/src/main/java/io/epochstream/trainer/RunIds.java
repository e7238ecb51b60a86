package io.epochstream.trainer;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/** Readable run ids: a prefix, the local start time and a short random tail against collisions. */
public final class RunIds {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private RunIds() {}

  public static String generate(String prefix) {
    return prefix + "-" + LocalDateTime.now().format(TIME) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
  }
}
