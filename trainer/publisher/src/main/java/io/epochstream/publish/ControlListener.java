package io.epochstream.publish;

import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EarlyStop;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Watches the {@code control} topic for this run's signals in a background thread: an
 * {@code EarlyStop} sets {@link #stopRequested()}, which the training loop checks at each epoch's
 * end. Signals sent before the listener started are not for this process.
 */
public final class ControlListener implements AutoCloseable {
  private static final EventSerde<ControlEvent> CONTROL = EventSerde.control(WireFormat.AVRO); // reads JSON values too
  private final KafkaConsumer<String, byte[]> consumer;
  /** Only the first unreadable record is reported. */
  private boolean skipped;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicReference<EarlyStop> signal = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread thread;

  public ControlListener(Map<String, Object> clientConfig, Topics topics, String run) {
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    // Values decoded here, record by record: a record that is not a control event is passed over
    // (the stream app dead-letters it), never a reason for the listener to stop.
    consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = consumer.partitionsFor(topics.control()).stream()
        .map(p -> new TopicPartition(topics.control(), p.partition())).toList();
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position);
    thread = new Thread(() -> listen(run), "epochstream-control-" + run);
    thread.setDaemon(true);
    thread.start();
  }

  private void listen(String run) {
    try {
      while (!closed.get()) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          if (!run.equals(r.key()) || r.value() == null) {
            return;
          }
          ControlEvent event;
          try {
            event = CONTROL.decode(r.value());
          } catch (SerializationException e) {
            if (!skipped) {
              System.err.println("skipped an unreadable record at " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
              skipped = true;
            }
            return;
          }
          if (event.getPayload() instanceof EarlyStop es) {
            signal.set(es);
            stop.set(true);
          }
        });
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  public boolean stopRequested() {
    return stop.get();
  }

  /** The EarlyStop received, or null. */
  public EarlyStop signal() {
    return signal.get();
  }

  @Override
  public void close() {
    closed.set(true);
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
