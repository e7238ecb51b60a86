"""Random specificity cases computed by TorchMetrics itself, appended to reference/specificity.json.

Run with TorchMetrics' and lightning-utilities' src on PYTHONPATH (and torch installed):
  PYTHONPATH=torchmetrics/src:utilities/src python3 make_specificity_vectors.py specificity.json
Scores are distinct within a sample (no argmax/top-k ties) and on a 0.01 grid; binary and
multilabel thresholds never equal a score, so float32 and float64 agree on every comparison.
"""
import json
import random
import sys

import torch
import torchmetrics
from torchmetrics.classification import BinarySpecificity, MulticlassSpecificity, MultilabelSpecificity

rnd = random.Random(20261129)


def scores(n, c):
    rows = []
    for _ in range(n):
        rows.append([v / 100 + 0.005 for v in rnd.sample(range(100), c)])
    return rows


def case(cls, task, params, preds, target):
    metric = cls(**params)
    value = metric(torch.tensor(preds), torch.tensor(target))
    expected = value.tolist()
    return {"metric": cls.__name__, "task": task, "params": params, "preds": preds, "target": target,
            "expected": expected,
            "source": f"computed by TorchMetrics {torchmetrics.__version__} (Lightning-AI/torchmetrics@dab0333) on torch "
                      f"{torch.__version__}: make_specificity_vectors.py",
            "note": None, "verified": True}


out = []
for threshold in (0.5, 0.3):
    for ignore in (None, -1):
        n = rnd.randint(8, 30)
        preds = [v[0] for v in scores(n, 1)]
        target = [-1 if ignore is not None and rnd.random() < 0.15 else rnd.randint(0, 1) for _ in range(n)]
        params = {"threshold": threshold}
        if ignore is not None:
            params["ignore_index"] = ignore
        out.append(case(BinarySpecificity, "binary", params, preds, target))
for average in ("micro", "macro", "weighted", None):
    for top_k in (1, 2):
        for ignore in (None, 1):
            n, c = rnd.randint(8, 30), 4
            preds = scores(n, c)
            # class 3 absent from the targets half the time: the macro weight rule matters
            classes = 3 if rnd.random() < 0.5 else 4
            target = [rnd.randrange(classes) for _ in range(n)]
            params = {"num_classes": c, "average": average, "top_k": top_k}
            if ignore is not None:
                params["ignore_index"] = ignore
            out.append(case(MulticlassSpecificity, "multiclass", params, preds, target))
for average in ("micro", "macro", "weighted", None):
    for ignore in (None, -1):
        n, c = rnd.randint(8, 30), 3
        preds = [[s[0] for s in scores(c, 1)] for _ in range(n)]
        target = [[-1 if ignore is not None and rnd.random() < 0.15 else rnd.randint(0, 1) for _ in range(c)] for _ in range(n)]
        params = {"num_labels": c, "average": average, "threshold": 0.4}
        if ignore is not None:
            params["ignore_index"] = ignore
        out.append(case(MultilabelSpecificity, "multilabel", params, preds, target))

path = sys.argv[1]
with open(path) as f:
    doc = json.load(f)
doc["vectors"] = [v for v in doc["vectors"] if not v["source"].startswith("computed by")] + out
doc["count"] = len(doc["vectors"])
with open(path, "w") as f:
    f.write(json.dumps(doc, indent=1) + "\n")
print(len(out), "computed cases")
