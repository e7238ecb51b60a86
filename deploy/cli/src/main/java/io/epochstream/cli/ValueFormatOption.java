package io.epochstream.cli;

import io.epochstream.serde.WireFormat;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** {@code --value-format} of every command that writes to Kafka; what it reads may be either. */
final class ValueFormatOption {
  @Option(names = "--value-format", paramLabel = "avro|json", defaultValue = "avro", converter = Converter.class,
      description = {"Encoding of the values this command writes: avro (single-object encoding) or json (the JSON-lines",
          "shapes, readable by any Kafka client). Readers accept both, record by record (default: ${DEFAULT-VALUE})."})
  WireFormat format;

  /** The stream app's configuration: the client settings plus the format its writers use. */
  Map<String, Object> streamsConfig(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(WireFormat.PROPERTY, format.toString());
    return config;
  }

  static final class Converter implements ITypeConverter<WireFormat> {
    @Override
    public WireFormat convert(String value) {
      return WireFormat.parse(value);
    }
  }
}
