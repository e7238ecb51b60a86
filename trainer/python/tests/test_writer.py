import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from epochstream import WriterFailed, epoch_end_event, open_writer, run_event, run_finished_event, step_event  # noqa: E402
from epochstream.events import encode  # noqa: E402
from epochstream.writer import EventWriter, _FileSink  # noqa: E402

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "writer_child.py")


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def await_true(condition, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not within %d s: %s" % (timeout, what))
        time.sleep(0.005)


class WriterTest(unittest.TestCase):
    def test_each_rank_appends_whole_lines_to_its_own_file_and_nothing_to_stdout(self):
        with tempfile.TemporaryDirectory() as d, contextlib.redirect_stdout(io.StringIO()) as stdout:
            for rank in (0, 1):
                with open_writer(d, "r/1", rank) as w:
                    w.write(run_event("r/1", 2))
                    w.write(step_event("r/1", "train", 0, rank, 7, loss=0.5, preds=[[0.1, 0.9]], target=[1]))
            self.assertEqual(stdout.getvalue(), "")
            self.assertEqual(sorted(os.listdir(d)), ["r_1.rank0.jsonl", "r_1.rank1.jsonl"])
            with open(os.path.join(d, "r_1.rank1.jsonl"), encoding="utf-8") as f:
                lines = [json.loads(line) for line in f]
        self.assertEqual([e["type"] for e in lines], ["run", "step"])
        self.assertEqual(lines[1]["rank"], 1)
        self.assertEqual(lines[1]["preds"], [[0.1, 0.9]])

    def test_nan_and_infinite_values_are_written_as_strings_not_bare_nan(self):
        line = encode(step_event("r", "val", 0, 0, 1, loss=float("nan"), preds=[float("inf"), 1.0], target=[0, 1],
                                 scalars={"grad_norm": float("-inf")}))
        self.assertNotIn("NaN,", line.replace('"NaN"', ""))
        event = json.loads(line)
        self.assertEqual(event["loss"], "NaN")
        self.assertEqual(event["preds"], ["Infinity", 1.0])
        self.assertEqual(event["scalars"], {"grad_norm": "-Infinity"})

    def test_objects_with_tolist_are_written_as_their_lists(self):
        class FakeTensor:  # what torch and numpy offer
            def tolist(self):
                return [[1, 2], [3, 4]]
        event = json.loads(encode(step_event("r", "train", 0, 0, 0, preds=FakeTensor(), target=[0, 1])))
        self.assertEqual(event["preds"], [[1, 2], [3, 4]])

    def test_a_socket_target_gets_one_connection_per_rank_with_whole_lines(self):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        server.listen(2)
        received = []

        def accept():
            conn, _ = server.accept()
            with conn, conn.makefile("r", encoding="utf-8") as f:
                received.extend(f.read().splitlines())
        t = threading.Thread(target=accept)
        t.start()
        with open_writer("tcp:127.0.0.1:%d" % server.getsockname()[1], "r", 3) as w:
            w.write(run_event("r", 4))
            w.write(run_finished_event("r", "completed"))
        t.join(10)
        server.close()
        self.assertEqual([json.loads(line)["type"] for line in received], ["run", "run_finished"])
        self.assertEqual(json.loads(received[1])["rank"], 3)  # a run of 4 ranks is over once each said so

    def test_a_kafka_target_without_a_client_library_says_what_to_install(self):
        absent = {"confluent_kafka": None, "kafka": None}  # None in sys.modules: import fails, as when not installed
        saved = {name: sys.modules.get(name) for name in absent}
        sys.modules.update(absent)
        try:
            with self.assertRaisesRegex(ImportError, "pip install confluent-kafka"):
                open_writer("kafka:127.0.0.1:9092", "r", 0)
        finally:
            for name, module in saved.items():
                if module is None:
                    del sys.modules[name]
                else:
                    sys.modules[name] = module

    def test_a_bad_stage_or_status_is_refused_where_it_is_made(self):
        with self.assertRaisesRegex(ValueError, "stage must be one of train, val, test, predict"):
            step_event("r", "validation", 0, 0, 0)
        with self.assertRaisesRegex(ValueError, "status must be"):
            run_finished_event("r", "done")


class BackgroundWriterTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def test_flush_returns_once_every_event_before_it_is_in_the_file_in_order(self):
        writer = open_writer(self.dir, "r", 0)
        for step in range(200):
            writer.write(step_event("r", "train", 0, 0, step, loss=step / 10, preds=[[0.5, 0.5]], target=[1]))
        writer.flush()
        steps = [e["step"] for e in lines_of(os.path.join(self.dir, "r.rank0.jsonl"))]
        self.assertEqual(steps, list(range(200)))
        writer.write(epoch_end_event("r", "train", 0, 0, 200))
        writer.close()
        self.assertEqual(lines_of(os.path.join(self.dir, "r.rank0.jsonl"))[-1]["type"], "epoch_end")
        with self.assertRaisesRegex(ValueError, "closed"):
            writer.write(epoch_end_event("r", "val", 0, 0))

    def test_a_full_queue_blocks_the_writer_counts_it_says_so_once_and_drops_nothing(self):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        writer = open_writer("tcp:127.0.0.1:%d" % server.getsockname()[1], "r", 0, queue_bytes=4096)
        conn, _ = server.accept()
        received = []

        def read_once_blocked():  # the peer reads nothing until a write has found the queue full
            await_true(lambda: writer.blocked_writes > 0, "a write blocked")
            with conn, conn.makefile("r", encoding="utf-8") as f:
                received.extend(f.read().splitlines())
        reader = threading.Thread(target=read_once_blocked)
        reader.start()
        big = [0.25] * 20000  # ~140 KB a line: the socket's buffers fill after a few
        with self.assertLogs("epochstream", "WARNING") as logged:
            for step in range(60):
                writer.write(step_event("r", "train", 0, 0, step, preds=big, target=[0]))
            writer.close()
        reader.join(60)
        server.close()
        self.assertEqual([json.loads(line)["step"] for line in received], list(range(60)))
        self.assertGreater(writer.blocked_writes, 0)
        self.assertEqual(len([r for r in logged.records if "queue" in r.getMessage()]), 1)

    def test_a_writer_that_cannot_write_raises_on_the_next_flush_saying_what_was_lost(self):
        writer = EventWriter(_FileSink("/dev/full"), "r", 0)  # every write: no space left on device
        writer.write(run_event("r", 1))
        writer.write(step_event("r", "train", 0, 0, 0, loss=0.5))
        with self.assertRaisesRegex(WriterFailed, r"failed after 0 events \(2 not written\).*No space left"):
            writer.flush()
        with self.assertRaises(WriterFailed):
            writer.write(step_event("r", "train", 0, 0, 1, loss=0.5))
        with self.assertRaises(WriterFailed):
            writer.close()

    def child(self, mode):
        return subprocess.Popen([sys.executable, CHILD, self.dir, "r", mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def test_what_is_queued_at_interpreter_exit_is_written_even_after_an_uncaught_exception(self):
        for mode in ("exit", "raise"):
            path = os.path.join(self.dir, "r.rank0.jsonl")
            if os.path.exists(path):
                os.remove(path)
            with self.child(mode) as child:
                out, err = child.communicate(timeout=120)
            self.assertEqual(child.returncode, 0 if mode == "exit" else 1, err)
            events = lines_of(path)
            # run line, 3 epochs of 5 steps and their ends; the last epoch was never flushed by the loop
            self.assertEqual(len(events), 1 + 3 * 6, mode)
            self.assertEqual([e["step"] for e in events if e["type"] == "step"], list(range(15)))

    def test_a_writer_killed_mid_epoch_leaves_whole_lines_and_everything_it_had_flushed(self):
        with self.child("forever") as child:
            flushed = 0
            for line in child.stdout:  # kill it right after its second epoch's flush, while it writes the third
                flushed = int(line.split()[1])
                if flushed >= 13:
                    break
            child.send_signal(signal.SIGKILL)
            child.wait(30)
        path = os.path.join(self.dir, "r.rank0.jsonl")
        with open(path, "rb") as f:
            data = f.read()
        whole, _, cut = data.rpartition(b"\n")
        events = [json.loads(line) for line in whole.decode("utf-8").split("\n")]  # every complete line parses
        self.assertGreaterEqual(len(events), flushed)
        self.assertEqual([e["step"] for e in events if e["type"] == "step"], list(range(len([e for e in events if e["type"] == "step"]))))
        if cut:  # the line being written at the kill, without its newline: what a kill may cut
            self.assertTrue(cut.startswith(b'{"type":"step"') or cut.startswith(b'{"type":"epoch_end"'), cut[:40])
        # The run resumed: a new writer of the file leaves no cut line for a reader to trip over.
        with open_writer(self.dir, "r", 0) as resumed:
            resumed.write(step_event("r", "train", 9, 0, 1000, loss=0.5))
        after = lines_of(path)
        self.assertEqual(after[:len(events)], events)
        self.assertEqual(after[len(events):], [after[-1]])
        self.assertEqual(after[-1]["step"], 1000)


class ExampleTest(unittest.TestCase):
    def test_the_lightning_example_compiles(self):
        import py_compile
        example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "lightning_train.py")
        py_compile.compile(example, doraise=True, cfile=os.path.join(tempfile.mkdtemp(), "example.pyc"))


if __name__ == "__main__":
    unittest.main()
