import contextlib
import io
import json
import os
import socket
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from epochstream import open_writer, run_event, run_finished_event, step_event  # noqa: E402
from epochstream.events import encode  # noqa: E402


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
        try:
            import confluent_kafka  # noqa: F401
            self.skipTest("confluent-kafka is installed")
        except ImportError:
            pass
        try:
            import kafka  # noqa: F401
            self.skipTest("kafka-python is installed")
        except ImportError:
            pass
        with self.assertRaisesRegex(ImportError, "pip install confluent-kafka"):
            open_writer("kafka:127.0.0.1:9092", "r", 0)

    def test_a_bad_stage_or_status_is_refused_where_it_is_made(self):
        with self.assertRaisesRegex(ValueError, "stage must be one of train, val, test, predict"):
            step_event("r", "validation", 0, 0, 0)
        with self.assertRaisesRegex(ValueError, "status must be"):
            run_finished_event("r", "done")


class ExampleTest(unittest.TestCase):
    def test_the_lightning_example_compiles(self):
        import py_compile
        example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "lightning_train.py")
        py_compile.compile(example, doraise=True, cfile=os.path.join(tempfile.mkdtemp(), "example.pyc"))


class KafkaRoutingTest(unittest.TestCase):
    """Where each line goes on Kafka, with the client library replaced by a recorder (none is installed here)."""

    def test_run_finished_names_its_rank_on_the_runs_topic_and_after_the_rank_s_steps(self):
        from epochstream.writer import EventWriter, _KafkaSink
        sent = []
        sink = _KafkaSink.__new__(_KafkaSink)
        sink._runs, sink._steps = "p.runs", "p.steps"
        sink._send = lambda topic, key, value: sent.append((topic, key, json.loads(value)))
        sink._flush = lambda: None
        writer = EventWriter(sink, "r", 1)
        for event in (run_event("r", 2), step_event("r", "train", 0, 1, 3, loss=0.5), run_finished_event("r", "completed")):
            writer.write(event)
        self.assertEqual([(t, k, v["type"]) for t, k, v in sent],
                         [("p.runs", "r", "run"), ("p.steps", "r:1", "run"), ("p.steps", "r:1", "step"),
                          ("p.runs", "r", "run_finished"), ("p.steps", "r:1", "run_finished")])
        self.assertEqual(sent[-1][2]["rank"], 1)
        self.assertEqual(sent[-2][2]["rank"], 1)


if __name__ == "__main__":
    unittest.main()
