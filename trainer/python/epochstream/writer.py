"""Where one rank's events go. Never stdout: a progress bar or a print there would corrupt them.

Targets (``open_writer(target, run, rank)``, or the ``EPOCHSTREAM_EVENTS`` environment variable):

* ``DIR`` or ``file:DIR`` -- one file per rank, ``DIR/<run>.rank<R>.jsonl``, appended to
  (``epochstream publish --follow DIR`` sends every rank's file, none interleaved with another);
* ``unix:PATH`` or ``tcp:HOST:PORT`` -- one connection per rank to ``epochstream publish --listen``;
* ``kafka:HOST:PORT[,HOST:PORT...]`` -- JSON values straight to the topics, when confluent-kafka or
  kafka-python is installed (``EPOCHSTREAM_TOPIC_PREFIX``, default ``epochstream.``).

``EventWriter.write`` does on the caller's thread only what cannot wait: a copy of each tensor that
the writer owns (non-blocking from a GPU) and an enqueue. A background thread encodes the events
and writes them, in order, whole lines only, behind a queue bounded in bytes: when it is full,
``write`` waits (back-pressure, never a drop), counts it and logs it once. ``flush`` returns once
everything written before it is out (on disk, on the socket, acknowledged by Kafka); ``close``,
the ``with`` block's end and interpreter exit flush too.

What a kill (SIGKILL, or a signal nothing handles) can lose: what was still queued, and the lines
being written at that moment. A file then ends with whole lines, and at most a last one without its
newline, which readers never take; the next writer of that file blanks it before appending.
"""
import atexit
import collections
import logging
import os
import re
import socket
import threading
import time
import weakref

from .events import TENSOR_FIELDS, encode_line
from .tensors import HostBuffers, nbytes, record_copies

DEFAULT_TARGET = "epochstream-events"
DEFAULT_QUEUE_BYTES = 64 << 20
LOG = logging.getLogger("epochstream")
# What each queued event is taken to hold beyond its tensors (the dict, its strings).
_EVENT_OVERHEAD = 512
# Lines are written in chunks of about this size: one system call, whole lines.
_CHUNK = 4 << 20


def open_writer(target, run, rank, queue_bytes=DEFAULT_QUEUE_BYTES, lists=False):
    """The writer for ``target`` (a string as above; None: $EPOCHSTREAM_EVENTS, else ./epochstream-events).

    ``queue_bytes`` bounds what waits for the background thread; ``lists`` writes tensors as nested
    lists instead of packed (readable, and 3-5x bigger)."""
    target = target or os.environ.get("EPOCHSTREAM_EVENTS") or DEFAULT_TARGET
    if target.startswith("unix:"):
        sink = _SocketSink(socket.AF_UNIX, target[len("unix:"):])
    elif target.startswith("tcp:"):
        host, _, port = target[len("tcp:"):].rpartition(":")
        sink = _SocketSink(socket.AF_INET, (host or "127.0.0.1", int(port)))
    elif target.startswith("kafka:"):
        sink = _KafkaSink(target[len("kafka:"):], os.environ.get("EPOCHSTREAM_TOPIC_PREFIX", "epochstream."), run, rank)
    else:
        directory = target[len("file:"):] if target.startswith("file:") else target
        sink = _FileSink(rank_file(directory, run, rank))
    return EventWriter(sink, run, rank, queue_bytes=queue_bytes, lists=lists)


def rank_file(directory, run, rank):
    """``DIR/<run>.rank<R>.jsonl``; characters a file name cannot hold become '_'."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", run)
    return os.path.join(directory, "%s.rank%d.jsonl" % (safe, int(rank)))


class WriterFailed(RuntimeError):
    """The background thread could not write; the events after the failure were not written."""


class EventWriter:
    """Writes one rank's events, in order, each as one JSON line, from a background thread."""

    def __init__(self, sink, run, rank, queue_bytes=DEFAULT_QUEUE_BYTES, lists=False):
        self._sink = sink
        self.run = run
        self.rank = int(rank)
        self._lists = lists
        self._queue = _ByteBoundedQueue(queue_bytes)
        self._buffers = HostBuffers(queue_bytes)
        self._failure = None
        self._closed = False
        # Counted on the caller's thread: writes that found the queue full, and the seconds they waited.
        self.blocked_writes = 0
        self.blocked_seconds = 0.0
        # Counted on the writer's thread.
        self.written = 0
        self.lost = 0
        self._thread = threading.Thread(target=self._drain, name="epochstream-writer-rank%d" % self.rank, daemon=True)
        self._thread.start()
        _OPEN.add(self)

    # -- the caller's thread ------------------------------------------------------------------
    def write(self, event):
        """Queues one event; its tensors are copied now (non-blocking from a GPU), encoded later."""
        self._check()
        if self._closed:
            raise ValueError("this epochstream writer is closed")
        if event["type"] == "run_finished" and "rank" not in event:
            # A run of N ranks is over once each of them said so: say which one this is.
            event = dict(event, rank=self.rank)
        event, size, ready, copies = _owned(event, self._buffers)
        self.blocked_seconds += self._queue.put((event, ready, copies), size, self._full)

    def _full(self):
        """The queue is full: this write waits for room (back-pressure), counted, said once."""
        self.blocked_writes += 1
        if self.blocked_writes == 1:
            LOG.warning("epochstream: the writer's queue (%.0f MiB) is full, so steps wait for it; a faster target "
                        "(a local directory) or a larger queue_bytes avoids that (counted in blocked_writes)",
                        self._queue.capacity / 2 ** 20)

    def flush(self):
        """Returns once every event written before is out; raises if the writer failed."""
        self._check()
        if not self._closed:
            done = threading.Event()
            self._queue.put(done, 0)
            done.wait()
        self._check()

    def close(self):
        """Flushes, stops the background thread and closes the target."""
        if self._closed:
            return
        self._closed = True
        _OPEN.discard(self)
        done = threading.Event()
        self._queue.put(_Stop(done), 0)
        done.wait()
        self._thread.join()
        self._sink.close()
        self._check()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _check(self):
        if self._failure is not None:
            raise WriterFailed("epochstream writer for %s rank %d failed after %d events (%d not written): %r"
                               % (self.run, self.rank, self.written, self.lost, self._failure)) from self._failure

    # -- the writer's thread ------------------------------------------------------------------
    def _drain(self):
        while True:
            batch, size = self._queue.take()
            pending, pending_bytes = [], 0
            stop = None
            for item in batch:
                if isinstance(item, (threading.Event, _Stop)):
                    self._send(pending)
                    pending, pending_bytes = [], 0
                    self._flush_sink()
                    if isinstance(item, _Stop):
                        stop = item
                    else:
                        item.set()
                    continue
                if self._failure is not None:
                    self.lost += 1
                    continue
                event, ready, copies = item
                try:
                    if ready is not None:
                        ready.synchronize()  # the device's copy into pinned memory
                    line = encode_line(event, lists=self._lists)
                except Exception as e:  # a value that cannot be written: the writer fails, loudly
                    self._fail(e)
                    continue
                for copy, device in copies:
                    self._buffers.give_back(copy, device)
                pending.append((event["type"], line))
                pending_bytes += len(line)
                if pending_bytes >= _CHUNK:
                    self._send(pending)
                    pending, pending_bytes = [], 0
            self._send(pending)
            self._queue.release(size)
            if stop is not None:
                stop.done.set()
                return

    def _send(self, lines):
        if lines and self._failure is None:
            try:
                self._sink.send(lines)
                self.written += len(lines)
            except Exception as e:
                self.lost += len(lines)
                self._fail(e)
        elif lines:
            self.lost += len(lines)

    def _flush_sink(self):
        if self._failure is None:
            try:
                self._sink.flush()
            except Exception as e:
                self._fail(e)

    def _fail(self, e):
        if self._failure is None:
            self._failure = e
            LOG.error("epochstream: writing %s rank %d failed: %r", self.run, self.rank, e)


class _Stop:
    def __init__(self, done):
        self.done = done


def _owned(event, buffers):
    """(the event with a writer-owned copy of each tensor, the bytes it holds, the CUDA event to wait
    on or None, the copies to give back to ``buffers`` once encoded)."""
    on_device = False
    size = _EVENT_OVERHEAD
    copies = []
    if event.get("type") == "step":
        event = dict(event)
        for field in ("loss", "batch_size") + TENSOR_FIELDS:
            value = event.get(field)
            if value is not None:
                event[field], copying = buffers.copy(value)
                on_device |= copying
                size += nbytes(event[field])
                if event[field] is not value:
                    copies.append((event[field], "cuda" if copying else "cpu"))
        if event.get("scalars"):
            scalars = {}
            for name, value in event["scalars"].items():
                scalars[name], copying = buffers.copy(value)
                on_device |= copying
            event["scalars"] = scalars
    return event, size, record_copies() if on_device else None, copies


class _ByteBoundedQueue:
    """A FIFO bounded by the bytes its items hold, those taken but not yet released included; an item
    larger than the bound waits until nothing else is held, then goes alone."""

    def __init__(self, capacity):
        self.capacity = int(capacity)
        self._items = collections.deque()
        self._queued = 0  # bytes of the items in the deque
        self._held = 0  # bytes of the items in the deque or taken and not released
        self._lock = threading.Condition()

    def put(self, item, size, on_full=None):
        """Appends, first waiting for room (``on_full`` is told when it must); returns the seconds waited."""
        with self._lock:
            waited = 0.0
            if self._held > 0 and self._held + size > self.capacity:
                if on_full is not None:
                    on_full()
                start = time.perf_counter()
                while self._held > 0 and self._held + size > self.capacity:
                    self._lock.wait()
                waited = time.perf_counter() - start
            self._items.append(item)
            self._queued += size
            self._held += size
            self._lock.notify_all()
            return waited

    def take(self):
        """(every item queued, their bytes): waits for one; the bytes stay held until ``release``."""
        with self._lock:
            while not self._items:
                self._lock.wait()
            batch, size = list(self._items), self._queued
            self._items.clear()
            self._queued = 0
            return batch, size

    def release(self, size):
        with self._lock:
            self._held -= size
            self._lock.notify_all()


class _FileSink:
    """Appends whole lines with one system call per chunk (no buffer of its own: what was written
    survives the process); a last line cut by a kill is blanked before anything is appended."""

    def __init__(self, path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        _blank_cut_line(path, self._fd)

    def send(self, lines):
        _write_all(self._fd, _joined(lines))

    def flush(self):
        pass  # every line is in the operating system's hands once send returns

    def close(self):
        os.close(self._fd)


def _blank_cut_line(path, fd):
    """Spaces over a last line without its newline, and the newline: readers skip blank lines, and a
    reader that is following the file sees no byte move (it gets the cut line as one bad line)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return
    with open(path, "rb") as f:
        tail_start = size
        while tail_start > 0:
            step = min(1 << 16, tail_start)
            f.seek(tail_start - step)
            chunk = f.read(step)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                tail_start = tail_start - step + newline + 1
                break
            tail_start -= step
    if tail_start < size:
        blank_fd = os.open(path, os.O_WRONLY)
        try:
            os.pwrite(blank_fd, b" " * (size - tail_start), tail_start)
        finally:
            os.close(blank_fd)
        _write_all(fd, b"\n")


def _joined(lines):
    """The lines, each with its newline, as one bytes object (one copy)."""
    parts = []
    for _, line in lines:
        parts.append(line)
        parts.append(b"\n")
    return b"".join(parts)


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _SocketSink:
    def __init__(self, family, address):
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.connect(address)

    def send(self, lines):
        self._socket.sendall(_joined(lines))

    def flush(self):
        pass  # sendall returned: the kernel has every byte

    def close(self):
        self._socket.close()


class _KafkaSink:
    """JSON values as ``epochstream publish --value-format json`` sends them: the run line to the runs
    topic and ahead of this rank's steps on its key ``<run>:<rank>``; steps keyed ``<run>:<rank>``;
    run_finished (naming this rank) to the runs topic and after this rank's steps (the stream app's
    run retention counts from it). Records up to the topics' 64 MiB, lz4 as the JVM publisher."""

    MAX_RECORD_BYTES = 64 << 20

    def __init__(self, bootstrap, prefix, run, rank):
        self._runs, self._steps = prefix + "runs", prefix + "steps"
        self._run, self._key = run, "%s:%d" % (run, int(rank))
        self._errors = []
        try:
            from confluent_kafka import Producer
        except ImportError:
            Producer = None
        if Producer is not None:
            producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "compression.type": "lz4",
                                 "linger.ms": 5, "message.max.bytes": self.MAX_RECORD_BYTES + (1 << 20)})

            def delivered(error, message):
                if error is not None:
                    self._errors.append(error)

            def send(topic, key, value):
                while True:
                    try:
                        producer.produce(topic, key=key, value=value, on_delivery=delivered)
                        break
                    except BufferError:  # the client's own queue is full: let it drain (back-pressure)
                        producer.poll(0.1)
                producer.poll(0)  # serve delivery reports, so the local queue drains as it goes

            def flush():
                while producer.flush(30) > 0:
                    LOG.warning("epochstream: Kafka has not acknowledged every event after 30 s; still waiting")
            self._send, self._flush = send, flush
        else:
            try:
                from kafka import KafkaProducer
            except ImportError:
                raise ImportError("a kafka: target needs confluent-kafka (pip install confluent-kafka) or kafka-python;"
                                  " without one, write files or a socket and run epochstream publish") from None
            producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", compression_type="lz4",
                                     max_request_size=self.MAX_RECORD_BYTES + (1 << 20))
            self._send = lambda topic, key, value: producer.send(topic, key=key.encode("utf-8"), value=value)
            self._flush = producer.flush

    def send(self, lines):
        for kind, line in lines:
            value = line
            if kind in ("run", "run_finished"):
                self._send(self._runs, self._run, value)
            self._send(self._steps, self._key, value)

    def flush(self):
        self._flush()
        if self._errors:
            errors, self._errors[:] = list(self._errors), []
            raise IOError("Kafka refused %d events: %s" % (len(errors), errors[0]))

    def close(self):
        self.flush()


_OPEN = weakref.WeakSet()


@atexit.register
def _close_open_writers():
    """At interpreter exit (daemon threads still run then): what is queued is written."""
    for writer in list(_OPEN):
        try:
            writer.close()
        except Exception as e:  # exiting anyway: say what was lost
            LOG.error("epochstream: %s", e)
