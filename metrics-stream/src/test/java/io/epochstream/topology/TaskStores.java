package io.epochstream.topology;

import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** In-memory stores with a store's real serdes, for testing a collaborator without a topology. */
final class TaskStores {
  final MockProcessorContext<String, Object> context = new MockProcessorContext<>();

  <K, V> KeyValueStore<K, V> of(StreamStores.Spec<K, V> spec) {
    KeyValueStore<K, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(spec.name()), spec.keys(), spec.values())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }
}
