package io.epochstream.web;

import io.epochstream.logger.SummarySubscriber;
import io.epochstream.topic.Topics;
import java.time.Instant;
import java.util.Map;

/**
 * Keeps a {@link RunBoard} up to date: one thread reading {@code runs}, {@code epoch-summaries} and
 * {@code step-metrics} from their beginning (committed records only, no consumer group), for as
 * long as the service runs. The topics must exist.
 */
public final class BoardFeed implements AutoCloseable {
  private final RunBoard board;
  private final SummarySubscriber subscriber;
  private final Thread thread;

  public BoardFeed(Map<String, Object> clientConfig, Topics topics, RunBoard board) {
    this.board = board;
    this.subscriber = new SummarySubscriber(clientConfig, topics, true, true, null);
    this.thread = new Thread(() -> {
      try {
        subscriber.run(s -> true, board, s -> false, Instant.MAX);
      } catch (RuntimeException e) {
        // The page then shows what was read so far; the service itself goes on.
        System.err.println("web page: stopped reading the topics: " + e);
      }
    }, "epochstream-board");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws InterruptedException {
    subscriber.stop();
    thread.join(10_000);
    subscriber.close();
  }
}
