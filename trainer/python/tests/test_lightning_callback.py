import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from epochstream.lightning import EpochstreamCallback  # noqa: E402
from lightning_stand_in import BlobsModule, LightningTrainerStandIn, TorchBlobsModule, _Strategy  # noqa: E402
from requirements import needs_torch, torch  # noqa: E402
from test_tensors import flat, unpacked  # noqa: E402

METRICS = {"acc": {"metric": "accuracy", "task": "multiclass", "num_classes": 3}}


def events(directory):
    out = {}
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            out[name] = [json.loads(line) for line in f]
    return out


class CallbackDrivenByAStandInTrainerTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def fit(self, rank=0, world_size=1, strategy=None, run="r1", max_epochs=2, max_steps=-1, **kwargs):
        callback = EpochstreamCallback(run=run, target=self.dir, metrics=METRICS)
        trainer = LightningTrainerStandIn([callback], global_rank=rank, world_size=world_size, strategy=strategy,
                                          max_epochs=max_epochs, max_steps=max_steps)
        trainer.fit(BlobsModule(seed=rank), train_batches=[None] * 3, val_batches=[None] * 2, **kwargs)
        return callback, trainer

    def test_every_rank_writes_run_line_steps_epoch_ends_and_run_finished_to_its_own_file(self):
        for rank in (0, 1):
            self.fit(rank=rank, world_size=2)
        files = events(self.dir)
        self.assertEqual(sorted(files), ["r1.rank0.jsonl", "r1.rank1.jsonl"])
        for rank, name in enumerate(sorted(files)):
            lines = files[name]
            self.assertEqual(lines[0]["type"], "run")
            self.assertEqual(lines[0]["world_size"], 2)
            self.assertEqual(lines[0]["hparams"], {"lr": "0.01", "hidden": "[32, 32]"})
            self.assertEqual(lines[-1]["type"], "run_finished")
            self.assertEqual(lines[-1]["status"], "completed")
            steps = [e for e in lines if e["type"] == "step"]
            self.assertTrue(all(e["rank"] == rank for e in steps))
            # 2 epochs x (3 train + 2 val): the sanity-check batches are not published
            self.assertEqual(len(steps), 10)
            ends = [(e["stage"], e["epoch"], e["steps"]) for e in lines if e["type"] == "epoch_end"]
            self.assertEqual(ends, [("val", 0, 2), ("train", 0, 3), ("val", 1, 2), ("train", 1, 3)])
            self.assertEqual([e["step"] for e in steps if e["stage"] == "train"], [0, 1, 2, 3, 4, 5])
            self.assertTrue(all(e["scalars"]["lr"] == 0.01 for e in steps if e["stage"] == "train"))

    def test_ranks_share_the_run_id_rank_zero_makes_when_none_is_given(self):
        strategy = _Strategy()
        first, _ = self.fit(rank=0, world_size=2, strategy=strategy, run=None)
        second, _ = self.fit(rank=1, world_size=2, strategy=strategy, run=None)
        self.assertTrue(first.run.startswith("lightning-"))
        self.assertEqual(first.run, second.run)

    def test_step_numbers_go_on_after_a_resume_from_the_checkpoint(self):
        _, trainer = self.fit()
        checkpoint = trainer.save_checkpoint()
        resumed = EpochstreamCallback(target=self.dir, metrics=METRICS)  # no run: it comes from the checkpoint
        again = LightningTrainerStandIn([resumed], max_epochs=4)
        again.restore(checkpoint)
        again.fit(BlobsModule(seed=5), train_batches=[None] * 3, val_batches=[None] * 2)
        self.assertEqual(resumed.run, "r1")
        train_steps = [e["step"] for e in events(self.dir)["r1.rank0.jsonl"] if e["type"] == "step" and e["stage"] == "train"]
        self.assertEqual(train_steps, list(range(12)))
        epochs = [e["epoch"] for e in events(self.dir)["r1.rank0.jsonl"] if e["type"] == "epoch_end" and e["stage"] == "train"]
        self.assertEqual(epochs, [0, 1, 2, 3])

    def test_a_run_that_raises_is_finished_as_failed_with_the_error(self):
        with self.assertRaises(RuntimeError):
            self.fit(fail_at_epoch=1)
        last = events(self.dir)["r1.rank0.jsonl"][-1]
        self.assertEqual(last["type"], "run_finished")
        self.assertEqual(last["status"], "failed")
        self.assertIn("CUDA out of memory", last["error"])

    def test_a_writer_failing_during_a_failed_run_leaves_the_runs_own_exception_to_be_seen(self):
        from epochstream.writer import EventWriter, _FileSink
        callback = EpochstreamCallback(run="full", target=self.dir, metrics=METRICS)
        callback._writer = EventWriter(_FileSink("/dev/full"), "full", 0)  # a disk that is full from the start
        with self.assertLogs("epochstream", "ERROR"), self.assertRaisesRegex(RuntimeError, "CUDA out of memory"):
            LightningTrainerStandIn([callback]).fit(BlobsModule(0), train_batches=[None] * 3, val_batches=[None] * 2,
                                                    fail_at_epoch=0)

    def test_a_run_that_early_stopping_ends_is_finished_as_stopped_early(self):
        self.fit(stop_after_epoch=0)
        last = events(self.dir)["r1.rank0.jsonl"][-1]
        self.assertEqual(last["status"], "stopped_early")

    def test_early_stopping_a_run_bounded_by_max_steps_alone_is_stopped_early(self):
        for max_epochs in (-1, None):  # Lightning's max_epochs when only max_steps bounds the run
            self.fit(run="es%s" % max_epochs, max_epochs=max_epochs, max_steps=100, stop_after_epoch=1)
            lines = events(self.dir)["es%s.rank0.jsonl" % max_epochs]
            self.assertEqual(lines[-1]["status"], "stopped_early", max_epochs)
            self.assertEqual([e["epoch"] for e in lines if e["type"] == "epoch_end" and e["stage"] == "train"], [0, 1])

    def test_a_run_that_max_steps_ends_is_completed(self):
        self.fit(run="steps", max_epochs=-1, max_steps=4)  # 3 batches an epoch: the limit is reached in epoch 1
        lines = events(self.dir)["steps.rank0.jsonl"]
        self.assertEqual(lines[-1]["status"], "completed")
        self.assertEqual([e["step"] for e in lines if e["type"] == "step" and e["stage"] == "train"], [0, 1, 2, 3])

    def test_a_loss_only_step_output_is_published_with_its_loss(self):
        callback = EpochstreamCallback(run="r2", target=self.dir, log_lr=False)
        trainer = LightningTrainerStandIn([callback])
        callback.on_train_start(trainer, BlobsModule(0))
        callback.on_train_batch_end(trainer, BlobsModule(0), 0.25, None, 0)
        callback.teardown(trainer, None, "fit")
        step = events(self.dir)["r2.rank0.jsonl"][1]
        self.assertEqual((step["loss"], "preds" in step, "scalars" in step), (0.25, False, False))


@needs_torch
class CallbackWithTorchTensorsTest(unittest.TestCase):
    """Real torch tensors through the callback: what the file holds is what the module returned."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def test_fit_then_test_with_float32_float16_and_bfloat16_preds_and_int64_labels(self):
        for dtype in ("float32", "float16", "bfloat16"):
            run = "torch-" + dtype
            callback = EpochstreamCallback(run=run, target=self.dir, metrics=METRICS)
            trainer = LightningTrainerStandIn([callback], max_epochs=2)
            module = TorchBlobsModule(seed=1, dtype=dtype)
            trainer.fit(module, train_batches=[None] * 3, val_batches=[None] * 2)
            trainer.test(module, test_batches=[None] * 2)
            lines = events(self.dir)[run + ".rank0.jsonl"]
            self.assertEqual([(e["type"], e.get("status")) for e in lines if e["type"] in ("run", "run_finished")],
                             [("run", None), ("run_finished", "completed"), ("run", None), ("run_finished", "completed")])
            steps = [e for e in lines if e["type"] == "step"]
            sent = [s for s in module.sent][2:]  # the two sanity-check batches are not published
            self.assertEqual([e["stage"] for e in steps], [s["stage"] for s in sent])
            self.assertEqual(len([e for e in steps if e["stage"] == "test"]), 2)
            for event, expected in zip(steps, sent):
                name, shape, values = unpacked(event["preds"])
                self.assertEqual((name, shape), (dtype, [8, 3]))
                self.assertEqual(values, flat(expected["preds"]))
                self.assertEqual(unpacked(event["target"])[2], expected["target"])
                self.assertEqual(unpacked(event["target"])[0], "int8")  # int64 labels of 3 classes, 1 byte each
                self.assertEqual(event["loss"], expected["loss"])
                self.assertEqual(event["batch_size"], 8)
            ends = [(e["stage"], e["epoch"], e["steps"]) for e in lines if e["type"] == "epoch_end"]
            self.assertEqual(ends, [("val", 0, 2), ("train", 0, 3), ("val", 1, 2), ("train", 1, 3), ("test", 2, 2)])

    def test_label_preds_send_the_argmax_of_a_token_head_as_int16_and_keep_padding_labels(self):
        callback = EpochstreamCallback(run="tokens", target=self.dir, label_preds=True, log_lr=False)
        trainer = LightningTrainerStandIn([callback])
        g = torch.Generator().manual_seed(0)
        logits = torch.randn(64, 32000, generator=g, requires_grad=True)
        target = torch.randint(0, 32000, (64,), generator=g)
        target[-5:] = -100  # padding, as Lightning and Hugging Face mark it
        callback.on_train_start(trainer, None)
        callback.on_train_batch_end(trainer, None, {"loss": logits.logsumexp(-1).mean(), "preds": logits, "target": target}, None, 0)
        callback.teardown(trainer, None, "fit")
        step = events(self.dir)["tokens.rank0.jsonl"][1]
        self.assertEqual(unpacked(step["preds"]), ("int16", [64], logits.argmax(-1).tolist()))
        self.assertEqual(unpacked(step["target"]), ("int16", [64], target.tolist()))


if __name__ == "__main__":
    unittest.main()
