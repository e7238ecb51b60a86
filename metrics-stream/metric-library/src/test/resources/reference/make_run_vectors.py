"""A two-rank run as JSON lines and the epoch summaries TorchMetrics itself computes for it: run-epochs.json.

Run with TorchMetrics' and lightning-utilities' src on PYTHONPATH (and torch installed):
  PYTHONPATH=torchmetrics/src:utilities/src python3 make_run_vectors.py run-epochs.json
The lines hold what the stream app must pass over: a repeated step number (other values), a step
sent after its rank's epoch_end, and a batch of logits (AUROC softmaxes it). "refused" holds lines
the stream app dead-letters (a rank outside the world size, a class index out of range), each with
the index of the line it goes before ("at"); eval and publish refuse them too. In val epoch 1 no
sample is or is predicted as class 3: macro averages leave it out, AUROC counts it as 0. Per epoch, the accepted batches of both ranks go through TorchMetrics'
update / compute; loss and scalars through MeanMetric / MaxMetric weighted by batch size, as
Lightning's self.log(on_epoch=True) does. Scores sit on a 0.001 grid offset by 0.0005, and no
softmaxed score lies within 1e-6 of a threshold i/99, so float32 and float64 agree on every
comparison.
"""
import json
import math
import random
import sys

import torch
import torchmetrics
from torchmetrics import MaxMetric, MeanMetric
from torchmetrics.classification import (MulticlassAccuracy, MulticlassAUROC, MulticlassConfusionMatrix,
                                         MulticlassF1Score, MulticlassPrecision, MulticlassRecall)

torch.set_default_dtype(torch.float64)
rnd = random.Random(20261207)
RUN = "tm-fixture"
C = 4
RANKS = 2
METRICS = {
    "acc": {"metric": "accuracy", "task": "multiclass", "num_classes": C},
    "acc_macro": {"metric": "accuracy", "task": "multiclass", "num_classes": C, "average": "macro"},
    "f1": {"metric": "f1_score", "task": "multiclass", "num_classes": C, "average": "macro"},
    "prec_w": {"metric": "precision", "task": "multiclass", "num_classes": C, "average": "weighted"},
    "rec_none": {"metric": "recall", "task": "multiclass", "num_classes": C, "average": "none"},
    "auroc": {"metric": "auroc", "task": "multiclass", "num_classes": C, "thresholds": 100},
    "auroc_exact": {"metric": "auroc", "task": "multiclass", "num_classes": C, "thresholds": None},
    "cm": {"metric": "confusion_matrix", "task": "multiclass", "num_classes": C},
}
SCALARS = {"grad_norm": "max", "lr": "mean"}
THRESHOLDS = [i / 99 for i in range(100)]


def torchmetric(spec):
    kind = {"accuracy": MulticlassAccuracy, "precision": MulticlassPrecision, "recall": MulticlassRecall,
            "f1_score": MulticlassF1Score, "auroc": MulticlassAUROC, "confusion_matrix": MulticlassConfusionMatrix}[spec["metric"]]
    params = {k: v for k, v in spec.items() if k not in ("metric", "task")}
    if spec["metric"] in ("accuracy", "precision", "recall", "f1_score"):
        params.setdefault("average", "micro")  # the task wrapper's default (Accuracy(task=...)), not the class's macro
    return kind(**params)


def far_from_thresholds(values):
    return all(abs(v - t) > 1e-6 for v in values for t in THRESHOLDS)


def batch(n, rare_class, logits):
    """n rows of C scores and their classes; class 3 is scored lowest in probability rows (only a
    logits row can predict it) and, in epochs where rare_class is False, never the target."""
    while True:
        rows = []
        for _ in range(n):
            # distinct scores within a row: no argmax ties
            if logits:
                rows.append([(v - 3000) / 1000 for v in rnd.sample(range(6000), C)])
            else:
                grid = rnd.sample(range(300), 1) + rnd.sample(range(300, 1000), C - 1)
                row = [(v + 0.5) / 1000 for v in grid[1:C]] + [(grid[0] + 0.5) / 1000]
                rows.append(row)
        soft = torch.tensor(rows).softmax(1).flatten().tolist() if logits else []
        if not logits or far_from_thresholds(soft):
            break
    classes = C if rare_class else C - 1
    target = [rnd.randrange(classes) for _ in range(n)]
    return rows, target


def line(**fields):
    return json.dumps(fields, separators=(",", ":"))


lines = [line(type="run", run=RUN, world_size=RANKS, metrics=METRICS, scalars=SCALARS)]
refused = []
accepted = {}  # (stage, epoch) -> list of batches
order = []
step_of_rank = [0] * RANKS
for epoch in range(2):
    for stage, steps in (("train", 4), ("val", 2)):
        key = (stage, epoch)
        order.append(key)
        accepted[key] = []
        for i in range(steps):
            for rank in range(RANKS):
                n = rnd.randint(3, 7)
                preds, target = batch(n, rare_class=not (stage == "val" and epoch == 1), logits=(rank == 1 and i == 1 and (stage, epoch) != ("val", 1)))
                number = step_of_rank[rank] if stage == "train" else i
                loss = "NaN" if (rank == 1 and epoch == 0 and stage == "train" and i == 2) else round(0.5 + rnd.random(), 6)
                scalars = {"grad_norm": round(rnd.uniform(0.5, 3), 6)}
                if stage == "train":
                    scalars["lr"] = 0.01 if epoch == 0 else 0.005
                    step_of_rank[rank] += 1
                lines.append(line(type="step", run=RUN, stage=stage, epoch=epoch, rank=rank, time=1000 * (epoch + 1) + 10 * i,
                                  step=number, batch_size=n, loss=loss, preds=preds, target=target, scalars=scalars))
                accepted[key].append((n, loss, preds, target, scalars))
                if stage == "train" and rank == 0 and i == 1:
                    # the same step number again, other values: a duplicate, passed over
                    p2, t2 = batch(3, True, False)
                    lines.append(line(type="step", run=RUN, stage=stage, epoch=epoch, rank=rank, time=1000 * (epoch + 1) + 10 * i + 5,
                                      step=number, batch_size=3, loss=9.0, preds=p2, target=t2, scalars={"grad_norm": 99.0, "lr": 1.0}))
                if i == 0:
                    p3, t3 = batch(2, True, False)
                    refused.append({"at": len(lines), "line": line(type="step", run=RUN, stage=stage, epoch=epoch, rank=RANKS + 3,
                                                                   time=1, step=number, batch_size=2, loss=0.1, preds=p3, target=t3)})
                    refused.append({"at": len(lines), "line": line(type="step", run=RUN, stage=stage, epoch=epoch, rank=rank, time=1,
                                                                   step=1000 + number, batch_size=2, loss=0.1, preds=p3,
                                                                   target=[C + 2, 0])})
        for rank in range(RANKS):
            lines.append(line(type="epoch_end", run=RUN, stage=stage, epoch=epoch, rank=rank, steps=steps))
        # after rank 0's end: its late step, passed over
        p4, t4 = batch(4, True, False)
        lines.append(line(type="step", run=RUN, stage=stage, epoch=epoch, rank=0, time=1000 * (epoch + 1) + 99,
                          step=500 + epoch, batch_size=4, loss=7.0, preds=p4, target=t4, scalars={"grad_norm": 77.0}))

epochs = []
for stage, epoch in order:
    metrics = {name: torchmetric(spec) for name, spec in METRICS.items()}
    loss = MeanMetric(nan_strategy="ignore")
    grad = MaxMetric()
    lr = MeanMetric()
    samples = 0
    nans = 0
    has_lr = False
    for n, l, preds, target, scalars in accepted[(stage, epoch)]:
        samples += n
        for m in metrics.values():
            m.update(torch.tensor(preds), torch.tensor(target))
        if l == "NaN":
            nans += 1
        else:
            loss.update(torch.tensor(l), n)
        grad.update(torch.tensor(scalars["grad_norm"]))
        if "lr" in scalars:
            has_lr = True
            lr.update(torch.tensor(scalars["lr"]), n)
    values = {"loss": [loss.compute().item()], "grad_norm": [grad.compute().item()]}
    if has_lr:
        values["lr"] = [lr.compute().item()]
    for name, m in metrics.items():
        values[name] = m.compute().flatten().tolist()
    for v in values.values():
        assert all(math.isfinite(x) for x in v), values
    epochs.append({"run": RUN, "stage": stage, "epoch": epoch, "ranks": RANKS, "steps": len(accepted[(stage, epoch)]),
                   "samples": samples, "metrics": values, "dropped_nans": {"loss": nans} if nans else {}})

doc = {"source": f"computed by TorchMetrics {torchmetrics.__version__} on torch {torch.__version__}: make_run_vectors.py",
       "lines": lines, "refused": refused, "epochs": epochs}
with open(sys.argv[1], "w") as f:
    f.write(json.dumps(doc, indent=1) + "\n")
print(len(lines), "lines,", len(refused), "refused,", len(epochs), "epochs")
