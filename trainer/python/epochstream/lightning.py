"""A Lightning callback that publishes every rank's steps to epochstream.

    from epochstream.lightning import EpochstreamCallback
    trainer = Trainer(callbacks=[EpochstreamCallback(
        metrics={"acc": {"metric": "accuracy", "task": "multiclass", "num_classes": 10}},
        target="events")])                       # then: epochstream publish --follow events

``training_step`` / ``validation_step`` / ``test_step`` return ``{"loss": loss, "preds": probs_or_logits,
"target": y}`` (``preds`` and ``target`` may be left out for a loss-only run; ``"scalars": {name: value}``
for custom values announced in ``scalars=``; ``"batch_size"`` when the samples are not target's first
dimension, a tensor being fine). Tensors stay tensors: on the training thread the callback only
copies them (non-blocking from a GPU, so no ``.item()``-style wait) and queues them; the writer's
thread packs and writes them. ``label_preds=True`` sends ``preds.argmax(-1)`` (taken on the device,
as int16 for up to 32 767 classes) instead of the scores: the form for token-level heads.

Every rank on every node writes its own events with ``world_size`` from the trainer; the train step
number is the callback's state in the checkpoint, so a resumed run goes on counting where it
stopped. The run id is ``run=``, else ``$EPOCHSTREAM_RUN``, else one made on rank 0 and broadcast to
the others; a resumed run keeps the id of its checkpoint. Each stage's epoch end waits until its
events are out (so a checkpoint saved then never claims steps still queued).
"""
import os
import time
import uuid

try:
    from lightning.pytorch.callbacks import Callback
except ImportError:  # the older package name
    try:
        from pytorch_lightning.callbacks import Callback
    except ImportError:  # neither installed: the hooks still work when called by name (tests)
        Callback = object

from .events import epoch_end_event, run_event, run_finished_event, step_event
from .tensors import is_torch, label_preds as argmax_labels
from .writer import DEFAULT_QUEUE_BYTES, LOG, WriterFailed, open_writer


class EpochstreamCallback(Callback):
    def __init__(self, run=None, target=None, metrics=None, scalars=None, best=None, early_stopping=None, log_lr=True,
                 label_preds=False, queue_bytes=DEFAULT_QUEUE_BYTES, lists=False):
        super().__init__()
        self.label_preds = label_preds
        self.queue_bytes = queue_bytes
        self.lists = lists
        self.run = run or os.environ.get("EPOCHSTREAM_RUN")
        self.target = target
        self.metrics = metrics or {}
        self.scalars = dict(scalars or {})
        self.best = best
        self.early_stopping = early_stopping
        self.log_lr = log_lr
        if log_lr:
            self.scalars.setdefault("lr", "mean")
        self.train_step = 0  # global over epochs, kept across resume (state_dict)
        self._epoch_steps = {}
        self._writer = None
        self._finished = False
        self._raising = False

    # -- checkpoint state -------------------------------------------------------------------
    def state_dict(self):
        return {"run": self.run, "train_step": self.train_step,
                "epoch_steps": [[stage, epoch, n] for (stage, epoch), n in self._epoch_steps.items()]}

    def load_state_dict(self, state_dict):
        self.run = state_dict.get("run") or self.run
        self.train_step = int(state_dict.get("train_step", 0))
        self._epoch_steps = {(stage, int(epoch)): int(n) for stage, epoch, n in state_dict.get("epoch_steps", [])}

    # -- run start and end ------------------------------------------------------------------
    def _started(self, trainer, pl_module):
        """Opens this rank's writer and sends the run line once, after any checkpoint was restored."""
        if self._writer is None:
            if self.run is None:
                proposal = time.strftime("lightning-%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:4]
                strategy = getattr(trainer, "strategy", None)
                self.run = strategy.broadcast(proposal, src=0) if strategy is not None else proposal
            self._writer = open_writer(self.target, self.run, trainer.global_rank, queue_bytes=self.queue_bytes, lists=self.lists)
            hparams = dict(getattr(pl_module, "hparams", None) or {})
            self._writer.write(run_event(self.run, trainer.world_size, self.metrics, self.scalars, hparams,
                                         self.best, self.early_stopping))
        return self._writer

    def on_fit_start(self, trainer, pl_module):
        self._finished = False
        self._raising = False

    def on_train_start(self, trainer, pl_module):
        self._started(trainer, pl_module)

    def on_validation_start(self, trainer, pl_module):
        self._started(trainer, pl_module)

    def on_test_start(self, trainer, pl_module):
        self._finished = False  # a test after fit ends the run again
        self._started(trainer, pl_module)

    def on_fit_end(self, trainer, pl_module):
        self._finish("stopped_early" if stopped_early(trainer) else "completed")

    def on_test_end(self, trainer, pl_module):
        self._finish("completed")

    def on_exception(self, trainer, pl_module, exception):
        # The training's own exception is the one to see: a writer failing too is only logged.
        self._raising = True
        try:
            self._finish("terminated" if isinstance(exception, KeyboardInterrupt) else "failed", repr(exception))
        except WriterFailed as e:
            LOG.error("%s", e)

    @property
    def writer(self):
        """This rank's writer while the run is open (its counters: blocked_writes, written, lost)."""
        return self._writer

    def teardown(self, trainer, pl_module, stage):
        if self._writer is not None:
            writer, self._writer = self._writer, None
            try:
                writer.close()
            except WriterFailed as e:
                if not self._raising:
                    raise
                LOG.error("%s", e)

    def _finish(self, status, error=None):
        if self._writer is not None and not self._finished:
            self._finished = True
            self._writer.write(run_finished_event(self.run, status, error))
            self._writer.flush()

    # -- steps ------------------------------------------------------------------------------
    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        scalars = {}
        if self.log_lr and getattr(trainer, "optimizers", None):
            scalars["lr"] = trainer.optimizers[0].param_groups[0]["lr"]
        self._step(trainer, pl_module, "train", outputs, self.train_step, scalars)
        self.train_step += 1

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        if not getattr(trainer, "sanity_checking", False):
            self._step(trainer, pl_module, "val", outputs, batch_idx, {})

    def on_test_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        self._step(trainer, pl_module, "test", outputs, batch_idx, {})

    def _step(self, trainer, pl_module, stage, outputs, step, scalars):
        writer = self._started(trainer, pl_module)
        out = outputs if isinstance(outputs, dict) else {"loss": outputs}
        preds, target = out.get("preds"), out.get("target")
        if self.label_preds and is_torch(preds) and preds.is_floating_point():
            preds = argmax_labels(preds)
        batch_size = out.get("batch_size")
        if batch_size is None and target is not None:
            batch_size = len(target) if not hasattr(target, "shape") or len(target.shape) > 0 else 1
        scalars = dict(scalars, **(out.get("scalars") or {}))
        writer.write(step_event(self.run, stage, trainer.current_epoch, trainer.global_rank, step,
                                loss=out.get("loss"), preds=preds, target=target,
                                batch_size=batch_size, scalars=scalars))
        key = (stage, trainer.current_epoch)
        self._epoch_steps[key] = self._epoch_steps.get(key, 0) + 1

    # -- epoch ends -------------------------------------------------------------------------
    def on_train_epoch_end(self, trainer, pl_module):
        self._epoch_end(trainer, pl_module, "train")

    def on_validation_epoch_end(self, trainer, pl_module):
        if not getattr(trainer, "sanity_checking", False):
            self._epoch_end(trainer, pl_module, "val")

    def on_test_epoch_end(self, trainer, pl_module):
        self._epoch_end(trainer, pl_module, "test")

    def _epoch_end(self, trainer, pl_module, stage):
        writer = self._started(trainer, pl_module)
        steps = self._epoch_steps.pop((stage, trainer.current_epoch), 0)
        writer.write(epoch_end_event(self.run, stage, trainer.current_epoch, trainer.global_rank, steps))
        writer.flush()


def stopped_early(trainer):
    """Whether something (EarlyStopping) set ``should_stop`` before a limit ended the fit. Lightning sets
    no ``should_stop`` for its limits, and -1 or None is no limit (``max_epochs`` is -1 when only
    ``max_steps`` bounds the run), so a run that reached neither limit was stopped."""
    if not getattr(trainer, "should_stop", False):
        return False
    return not (_reached(trainer.current_epoch, getattr(trainer, "max_epochs", None))
                or _reached(getattr(trainer, "global_step", 0), getattr(trainer, "max_steps", None)))


def _reached(current, limit):
    return limit is not None and limit != -1 and current >= limit
