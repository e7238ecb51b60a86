"""A minimal stand-in for Lightning's Trainer (Lightning is not installed here): it calls a
callback's hooks in the order Lightning 2.x calls them during fit and test, with the attributes the
callback reads (global_rank, world_size, current_epoch, global_step, max_epochs, max_steps,
sanity_checking, should_stop, optimizers, strategy.broadcast). Its limits are Lightning's: -1 or None
is no limit, max_steps ends the fit mid-epoch (that epoch still ends), and neither sets should_stop.
It is not Lightning; it only drives the hooks."""
import random


class _Optimizer:
    def __init__(self, lr):
        self.param_groups = [{"lr": lr}]


class _Strategy:
    """broadcast(obj, src=0): every stand-in rank of one test shares this object."""

    def __init__(self):
        self.from_rank0 = None

    def broadcast(self, obj, src=0):
        if self.from_rank0 is None:
            self.from_rank0 = obj
        return self.from_rank0


class LightningTrainerStandIn:
    def __init__(self, callbacks, global_rank=0, world_size=1, max_epochs=2, strategy=None, lr=0.01, max_steps=-1):
        self.callbacks = callbacks
        self.global_rank = global_rank
        self.world_size = world_size
        self.max_epochs = max_epochs
        self.max_steps = max_steps
        self.current_epoch = 0
        self.global_step = 0
        self.sanity_checking = False
        self.should_stop = False
        self.optimizers = [_Optimizer(lr)]
        self.strategy = strategy or _Strategy()

    def _call(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(self, *args)

    def fit(self, module, train_batches, val_batches, stop_after_epoch=None, fail_at_epoch=None):
        self._call("on_fit_start", module)
        try:
            self.sanity_checking = True
            self._call("on_validation_start", module)
            for i, batch in enumerate(val_batches[:2]):
                self._call("on_validation_batch_end", module, module.validation_step(batch, i), batch, i, 0)
            self._call("on_validation_epoch_end", module)
            self.sanity_checking = False
            self._call("on_train_start", module)
            while not _reached(self.current_epoch, self.max_epochs) and not self.should_stop \
                    and not _reached(self.global_step, self.max_steps):
                if fail_at_epoch == self.current_epoch:
                    raise RuntimeError("CUDA out of memory (stand-in)")
                for i, batch in enumerate(train_batches):
                    outputs = module.training_step(batch, i)
                    self.global_step += 1  # the optimizer stepped before on_train_batch_end
                    self._call("on_train_batch_end", module, outputs, batch, i)
                    if _reached(self.global_step, self.max_steps):
                        break
                self._call("on_validation_start", module)
                for i, batch in enumerate(val_batches):
                    self._call("on_validation_batch_end", module, module.validation_step(batch, i), batch, i, 0)
                self._call("on_validation_epoch_end", module)
                self._call("on_train_epoch_end", module)
                if stop_after_epoch == self.current_epoch:
                    self.should_stop = True  # what EarlyStopping does
                self.current_epoch += 1
            self._call("on_fit_end", module)
        except BaseException as e:
            self._call("on_exception", module, e)
            raise
        finally:
            self._call("teardown", module, "fit")

    def test(self, module, test_batches):
        """Lightning's trainer.test after fit: test batches, the test epoch's end, on_test_end."""
        try:
            self._call("on_test_start", module)
            for i, batch in enumerate(test_batches):
                self._call("on_test_batch_end", module, module.test_step(batch, i), batch, i, 0)
            self._call("on_test_epoch_end", module)
            self._call("on_test_end", module)
        except BaseException as e:
            self._call("on_exception", module, e)
            raise
        finally:
            self._call("teardown", module, "test")

    def save_checkpoint(self):
        """What Lightning keeps of each callback: its state_dict."""
        return {"epoch": self.current_epoch, "callbacks": [cb.state_dict() for cb in self.callbacks]}

    def restore(self, checkpoint):
        self.current_epoch = checkpoint["epoch"]
        for cb, state in zip(self.callbacks, checkpoint["callbacks"]):
            cb.load_state_dict(state)


def _reached(current, limit):
    return limit is not None and limit != -1 and current >= limit


class BlobsModule:
    """A LightningModule stand-in: returns what the callback expects from training/validation_step,
    from seeded data (3 classes, probabilities per row), no torch needed."""

    hparams = {"lr": 0.01, "hidden": [32, 32]}

    def __init__(self, seed, nan_loss_at=None):
        self.random = random.Random(seed)
        self.nan_loss_at = nan_loss_at

    def _outputs(self, batch_idx):
        size = 3 + self.random.randrange(4)
        preds, target = [], []
        for _ in range(size):
            a = self.random.random()
            b = self.random.random() * (1 - a)
            preds.append([round(a, 6), round(b, 6), round(1 - a - b, 6)])
            target.append(self.random.randrange(3))
        loss = float("nan") if batch_idx == self.nan_loss_at else round(0.5 + self.random.random(), 6)
        return {"loss": loss, "preds": preds, "target": target}

    def training_step(self, batch, batch_idx):
        return self._outputs(batch_idx)

    def validation_step(self, batch, batch_idx):
        return self._outputs(batch_idx)

    def test_step(self, batch, batch_idx):
        return self._outputs(batch_idx)


class TorchBlobsModule:
    """A LightningModule stand-in with real torch: a linear layer on seeded blobs, so the loss requires
    grad; preds are the softmax in ``dtype`` (float32, float16, bfloat16), targets int64. Every
    step's outputs are kept, as the values the test reads back (``sent``: stage, preds as floats,
    target, loss)."""

    hparams = {"lr": 0.01}

    def __init__(self, seed, classes=3, batch=8, dtype="float32"):
        import torch
        self.torch = torch
        self.generator = torch.Generator().manual_seed(seed)
        self.classes, self.batch, self.dtype = classes, batch, getattr(torch, dtype)
        self.layer = torch.nn.Linear(4, classes)
        self.sent = []

    def _outputs(self, stage):
        torch = self.torch
        x = torch.randn(self.batch, 4, generator=self.generator)
        y = torch.randint(0, self.classes, (self.batch,), generator=self.generator)
        logits = self.layer(x)
        loss = torch.nn.functional.cross_entropy(logits, y)  # requires grad, as a training step's loss
        preds = logits.softmax(-1).to(self.dtype)
        if stage == "train":
            loss.backward()
        self.sent.append({"stage": stage, "preds": preds.float().tolist(), "target": y.tolist(), "loss": float(loss)})
        return {"loss": loss, "preds": preds, "target": y}

    def training_step(self, batch, batch_idx):
        return self._outputs("train")

    def validation_step(self, batch, batch_idx):
        return self._outputs("val")

    def test_step(self, batch, batch_idx):
        return self._outputs("test")
