"""Where one rank's events go. Never stdout: a progress bar or a print there would corrupt them.

Targets (``open_writer(target, run, rank)``, or the ``EPOCHSTREAM_EVENTS`` environment variable):

* ``DIR`` or ``file:DIR`` -- one file per rank, ``DIR/<run>.rank<R>.jsonl``, appended to
  (``epochstream publish --follow DIR`` sends every rank's file, none interleaved with another);
* ``unix:PATH`` or ``tcp:HOST:PORT`` -- one connection per rank to ``epochstream publish --listen``;
* ``kafka:HOST:PORT[,HOST:PORT...]`` -- JSON values straight to the topics, when confluent-kafka or
  kafka-python is installed (``EPOCHSTREAM_TOPIC_PREFIX``, default ``epochstream.``).

Each event is written whole, as one line, and flushed: a rank killed mid-run leaves whole lines.
"""
import os
import re
import socket

from .events import encode

DEFAULT_TARGET = "epochstream-events"


def open_writer(target, run, rank):
    """The writer for ``target`` (a string as above; None: $EPOCHSTREAM_EVENTS, else ./epochstream-events)."""
    target = target or os.environ.get("EPOCHSTREAM_EVENTS") or DEFAULT_TARGET
    if target.startswith("unix:"):
        return EventWriter(_SocketSink(socket.AF_UNIX, target[len("unix:"):]), run, rank)
    if target.startswith("tcp:"):
        host, _, port = target[len("tcp:"):].rpartition(":")
        return EventWriter(_SocketSink(socket.AF_INET, (host or "127.0.0.1", int(port))), run, rank)
    if target.startswith("kafka:"):
        return EventWriter(_KafkaSink(target[len("kafka:"):], os.environ.get("EPOCHSTREAM_TOPIC_PREFIX", "epochstream.")), run, rank)
    directory = target[len("file:"):] if target.startswith("file:") else target
    return EventWriter(_FileSink(rank_file(directory, run, rank)), run, rank)


def rank_file(directory, run, rank):
    """``DIR/<run>.rank<R>.jsonl``; characters a file name cannot hold become '_'."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", run)
    return os.path.join(directory, "%s.rank%d.jsonl" % (safe, int(rank)))


class EventWriter:
    """Writes one rank's events, in order, each as one JSON line."""

    def __init__(self, sink, run, rank):
        self._sink = sink
        self.run = run
        self.rank = int(rank)

    def write(self, event):
        if event["type"] == "run_finished" and "rank" not in event:
            # A run of N ranks is over once each of them said so: say which one this is.
            event = dict(event, rank=self.rank)
        self._sink.send(event, encode(event), self.run, self.rank)

    def close(self):
        self._sink.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _FileSink:
    def __init__(self, path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self.path = path
        self._file = open(path, "a", encoding="utf-8")

    def send(self, event, line, run, rank):
        self._file.write(line + "\n")
        self._file.flush()

    def close(self):
        self._file.close()


class _SocketSink:
    def __init__(self, family, address):
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.connect(address)

    def send(self, event, line, run, rank):
        self._socket.sendall((line + "\n").encode("utf-8"))

    def close(self):
        self._socket.close()


class _KafkaSink:
    """JSON values as ``epochstream publish --value-format json`` sends them: the run line to the runs
    topic and ahead of this rank's steps on its key ``<run>:<rank>``; steps keyed ``<run>:<rank>``;
    run_finished (naming this rank) to the runs topic and after this rank's steps (the stream app's
    run retention counts from it)."""

    def __init__(self, bootstrap, prefix):
        self._runs, self._steps = prefix + "runs", prefix + "steps"
        try:
            from confluent_kafka import Producer
            producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
            def send(topic, key, value):
                producer.produce(topic, key=key, value=value)
                producer.poll(0)  # serve delivery reports, so the local queue drains as it goes
            self._send = send
            self._flush = producer.flush
        except ImportError:
            try:
                from kafka import KafkaProducer
            except ImportError:
                raise ImportError("a kafka: target needs confluent-kafka (pip install confluent-kafka) or kafka-python;"
                                  " without one, write files or a socket and run epochstream publish") from None
            producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all")
            self._send = lambda topic, key, value: producer.send(topic, key=key.encode("utf-8"), value=value)
            self._flush = producer.flush

    def send(self, event, line, run, rank):
        value = line.encode("utf-8")
        if event["type"] in ("run", "run_finished"):
            self._send(self._runs, run, value)
        self._send(self._steps, "%s:%d" % (run, rank), value)
        if event["type"] == "run_finished":
            self._flush()

    def close(self):
        self._flush()
