"""Random cases of the classification metrics computed by TorchMetrics itself: reference/<metric>.json.

Run with TorchMetrics' and lightning-utilities' src on PYTHONPATH (and torch installed), in this directory:
  PYTHONPATH=torchmetrics/src:utilities/src python3 make_classification_vectors.py .

Every case holds its data once ("preds", "target", "expected": TorchMetrics' value on all of it, as one
update) and "splits": the rows cut into 2-3 ranks, each rank's rows into uneven batches, in order.
The generator checks that TorchMetrics updated batch by batch gives the same value, so a test may fold
the pieces rank by rank, merge the ranks and compare with "expected".

The data keep float32 (TorchMetrics) and float64 (the library) on the same side of every comparison:
probabilities sit on the grid (k + 0.5) / 100, which never equals a threshold of linspace(0, 1, n) for the
n used here nor a calibration bin edge; logits sit on a 0.1 grid outside [0, 1] (so every batch, however
small, is squashed like the whole); exact curves of multiclass data use probabilities only (softmaxed
logits of permuted rows can tie in one precision and not the other). Multiclass score rows are distinct
within a row (no argmax ties).

Values in the summaries' layout: a tuple (value, threshold) stacked to [2] or [2, C]; curves as [R, N] or
[C, R, N] with rows in TorchMetrics' return order, NaN-padded at the end ("NaN"); the precision-recall
curve's rows 3-6 are the counts tp, fp, tn, fn at each threshold, taken from TorchMetrics' own state
(binned: its confusion matrices) or from its _binary_clf_curve (exact).
"""
import json
import math
import os
import random
import sys

import torch
import torchmetrics
from torchmetrics.functional.classification.precision_recall_curve import _binary_clf_curve

rnd = random.Random(20261207)
SOURCE = (f"computed by TorchMetrics {torchmetrics.__version__} (Lightning-AI/torchmetrics@dab0333) on torch "
          f"{torch.__version__}: make_classification_vectors.py")


def prob():
    return (rnd.randrange(100) + 0.5) / 100


def logit():
    v = rnd.choice([k / 10 for k in range(-40, 0)] + [k / 10 for k in range(11, 41)])
    return v + 0.05 if v < 0 else v + 0.05


def binary_data(n, logits, ignore):
    preds = [logit() if logits else prob() for _ in range(n)]
    target = [ignore if ignore is not None and rnd.random() < 0.15 else rnd.randint(0, 1) for _ in range(n)]
    return preds, target


def multiclass_row(c, logits):
    if logits:
        return rnd.sample([x / 10 + 0.05 for x in list(range(-40, -1)) + list(range(11, 40))], c)
    return [(v + 0.5) / 100 for v in rnd.sample(range(100), c)]


def multiclass_data(n, c, logits, ignore, absent=False, extra=None):
    classes = c - 1 if absent else c
    def target():
        return ignore if ignore is not None and rnd.random() < 0.15 else rnd.randrange(classes)
    if extra is None:
        return [multiclass_row(c, logits) for _ in range(n)], [target() for _ in range(n)]
    preds, tgt = [], []
    for _ in range(n):
        rows = [multiclass_row(c, logits) for _ in range(extra)]
        preds.append([[rows[j][k] for j in range(extra)] for k in range(c)])  # [C, extra]
        tgt.append([target() for _ in range(extra)])
    return preds, tgt


def multilabel_data(n, labels, logits, ignore, extra=None):
    def one():
        return logit() if logits else prob()
    def t():
        return ignore if ignore is not None and rnd.random() < 0.15 else rnd.randint(0, 1)
    if extra is None:
        return [[one() for _ in range(labels)] for _ in range(n)], [[t() for _ in range(labels)] for _ in range(n)]
    return ([[[one() for _ in range(extra)] for _ in range(labels)] for _ in range(n)],
            [[[t() for _ in range(extra)] for _ in range(labels)] for _ in range(n)])


def splits(n):
    ranks = rnd.choice([2, 3])
    cuts = sorted(rnd.sample(range(1, n), ranks - 1))
    out = []
    for lo, hi in zip([0] + cuts, cuts + [n]):
        batches, left = [], hi - lo
        while left > 0:
            b = min(left, rnd.randint(1, 8))
            batches.append(b)
            left -= b
        out.append(batches)
    return out


def number(v):
    return "NaN" if math.isnan(v) else v


def to_list(t):
    return [number(v) for v in t.tolist()] if t.ndim == 1 else [to_list(x) for x in t]


def padded(rows):
    """rows: a list (per class) of lists of 1-d tensors -> [C, R, N] nested lists, NaN-padded."""
    n = max(len(r) for cls in rows for r in cls)
    return [[[number(float(v)) for v in r.tolist()] + ["NaN"] * (n - len(r)) for r in cls] for cls in rows]


def value(metric, out, task):
    if isinstance(out, torch.Tensor):
        return number(float(out)) if out.ndim == 0 else to_list(out)
    if metric in ("roc", "precision_recall_curve"):
        return None  # built by curve()
    a, b = out  # (value, threshold)
    if a.ndim == 0:
        return [number(float(a)), number(float(b))]
    return [to_list(a), to_list(b)]


def pr_counts(m, task, classes):
    """Per class [tp, fp, tn, fn] at each threshold of TorchMetrics' own curve state, in its output order."""
    out = []
    if m.thresholds is not None:
        confmat = m.confmat if m.confmat.ndim == 4 else m.confmat.unsqueeze(1)  # [T, C, 2, 2]
        for c in range(confmat.shape[1]):
            cm = confmat[:, c].double()
            out.append([cm[:, 1, 1], cm[:, 0, 1], cm[:, 0, 0], cm[:, 1, 0]])
        return out
    preds = torch.cat(m.preds) if isinstance(m.preds, list) else m.preds
    target = torch.cat(m.target) if isinstance(m.target, list) else m.target
    for c in range(classes):
        if task == "binary":
            p, t = preds, target
        elif task == "multiclass":
            p, t = preds[:, c], (target == c).long()
        else:
            keep = target[:, c] != (m.ignore_index if m.ignore_index is not None else -10**9)
            p, t = preds[keep, c], target[keep, c]
        fps, tps, _ = _binary_clf_curve(p, t)
        pos, neg = float((t == 1).sum()), float((t == 0).sum())
        fps, tps = fps.double().flip(0), tps.double().flip(0)
        out.append([tps, fps, neg - fps, pos - tps])
    return out


def curve(metric, m, out, task, classes):
    a, b, thr = out
    if task == "binary":
        a, b, thr = [a], [b], [thr]
    elif isinstance(a, torch.Tensor):  # binned: [C, N] tensors, shared thresholds
        a, b, thr = list(a), list(b), [thr] * classes
    rows = [[a[c], b[c], thr[c]] for c in range(classes)]
    if metric == "precision_recall_curve":
        counts = pr_counts(m, task, classes)
        rows = [rows[c] + counts[c] for c in range(classes)]
    full = padded(rows)
    return full[0] if task == "binary" else full


def close(a, b):
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if a == "NaN" or b == "NaN":
        return a == b
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def case(metric, cls, task, params, preds, target, note=None):
    n = len(preds)
    cut = splits(n)
    ctor = {k: v for k, v in params.items() if k != "task"}
    whole = cls(task=task, **ctor)
    out = whole(torch.tensor(preds, dtype=torch.float32), torch.tensor(target))
    classes = params.get("num_classes", params.get("num_labels", 1))
    expected = curve(metric, whole, out, task, classes) if metric in ("roc", "precision_recall_curve") \
        else value(metric, out, task)
    # The same data batch by batch, rank after rank: TorchMetrics must agree with its one-update value.
    piecewise = cls(task=task, **ctor)
    start = 0
    for rank in cut:
        for b in rank:
            piecewise.update(torch.tensor(preds[start:start + b], dtype=torch.float32), torch.tensor(target[start:start + b]))
            start += b
    again = piecewise.compute()
    if metric in ("roc", "precision_recall_curve"):
        check = curve(metric, piecewise, again, task, classes)
    else:
        check = value(metric, again, task)
    if not close(check, expected):
        raise SystemExit(f"{metric} {params}: batch by batch {check} != one update {expected}")
    return {"metric": type(whole).__name__, "task": task, "params": {"task": task, **ctor}, "preds": preds,
            "target": target, "splits": cut, "expected": expected, "source": SOURCE, "note": note, "verified": True}


def cases():
    tm = torchmetrics
    out = {}
    def add(metric, *c):
        out.setdefault(metric, []).append(case(metric, *c))

    # Confusion-matrix metrics.
    for metric, cls in (("jaccard_index", tm.JaccardIndex), ("matthews_corrcoef", tm.MatthewsCorrCoef),
                        ("cohen_kappa", tm.CohenKappa)):
        averaged = metric == "jaccard_index"
        for logits, ignore, threshold in ((False, None, 0.5), (True, -1, 0.5), (False, -1, 0.3)):
            p = {"threshold": threshold}
            if ignore is not None:
                p["ignore_index"] = ignore
            if metric == "cohen_kappa":
                p["weights"] = rnd.choice([None, "linear", "quadratic"])
            if metric == "jaccard_index" and ignore is not None:
                p["zero_division"] = 1.0
            add(metric, cls, "binary", p, *binary_data(rnd.randint(20, 50), logits, ignore))
        averages = ("micro", "macro", "weighted", None) if averaged else (None,)
        weights = ("none", "linear", "quadratic") if metric == "cohen_kappa" else (None,)
        for average in averages:
            for w in weights:
                for ignore, absent in ((None, False), (1, True), (-1, False)):
                    p = {"num_classes": 4}
                    if averaged:
                        p["average"] = average
                    if metric == "cohen_kappa":
                        p["weights"] = w
                    if ignore is not None:
                        p["ignore_index"] = ignore
                    add(metric, cls, "multiclass", p, *multiclass_data(rnd.randint(20, 50), 4, rnd.random() < 0.5, ignore, absent))
        if metric != "cohen_kappa":
            for average in averages:
                for ignore in (None, -1):
                    p = {"num_labels": 3, "threshold": 0.4}
                    if averaged:
                        p["average"] = average
                    if ignore is not None:
                        p["ignore_index"] = ignore
                    add(metric, cls, "multilabel", p, *multilabel_data(rnd.randint(20, 50), 3, rnd.random() < 0.5, ignore))
        add(metric, cls, "multiclass", {"num_classes": 3}, *multiclass_data(16, 3, False, None, extra=2))
        # Probabilities where kept, a logit where ignored: the confusion-matrix format judges logits by
        # the kept elements only, so nothing is squashed.
        preds, target = binary_data(30, False, -1)
        preds = [3.5 if t == -1 else v for v, t in zip(preds, target)]
        add(metric, cls, "binary", {"ignore_index": -1}, preds, target, "ignored elements hold logits")
    # Degenerate confusion matrices: every sample right, every sample wrong, one class only.
    add("matthews_corrcoef", tm.MatthewsCorrCoef, "binary", {}, [0.9, 0.1, 0.8, 0.2, 0.7, 0.3], [1, 0, 1, 0, 1, 0])
    add("matthews_corrcoef", tm.MatthewsCorrCoef, "binary", {}, [0.1, 0.9, 0.2, 0.8, 0.3, 0.7], [1, 0, 1, 0, 1, 0])
    add("matthews_corrcoef", tm.MatthewsCorrCoef, "binary", {}, [0.9, 0.8, 0.1, 0.7, 0.6, 0.2], [1, 1, 1, 1, 1, 1])
    add("matthews_corrcoef", tm.MatthewsCorrCoef, "binary", {}, [0.9, 0.8, 0.1, 0.7, 0.6, 0.2], [0, 0, 0, 0, 0, 0])
    add("cohen_kappa", tm.CohenKappa, "binary", {}, [0.9, 0.8, 0.7, 0.6], [1, 1, 1, 1], "one class everywhere: 0/0")

    # Stat-score metrics.
    for metric, cls in (("hamming_distance", tm.HammingDistance), ("negative_predictive_value", tm.NegativePredictiveValue)):
        for logits, ignore, threshold in ((False, None, 0.5), (True, -1, 0.5), (False, -1, 0.3)):
            p = {"threshold": threshold}
            if ignore is not None:
                p["ignore_index"] = ignore
            add(metric, cls, "binary", p, *binary_data(rnd.randint(20, 50), logits, ignore))
        for average in ("micro", "macro", "weighted", None):
            for top_k in (1, 2):
                for ignore, absent in ((None, True), (1, False)):
                    p = {"num_classes": 4, "average": average, "top_k": top_k}
                    if ignore is not None:
                        p["ignore_index"] = ignore
                    if metric == "negative_predictive_value" and top_k == 2:
                        p["zero_division"] = 1
                    add(metric, cls, "multiclass", p, *multiclass_data(rnd.randint(20, 50), 4, rnd.random() < 0.5, ignore, absent))
            for ignore in (None, -1):
                p = {"num_labels": 3, "average": average, "threshold": 0.4}
                if ignore is not None:
                    p["ignore_index"] = ignore
                add(metric, cls, "multilabel", p, *multilabel_data(rnd.randint(20, 50), 3, rnd.random() < 0.5, ignore))

    for ignore in (None, 1, -1):
        p = {"num_classes": 3}
        if ignore is not None:
            p["ignore_index"] = ignore
        add("exact_match", tm.ExactMatch, "multiclass", p, *multiclass_data(rnd.randint(20, 40), 3, False, ignore, extra=2))
        add("exact_match", tm.ExactMatch, "multiclass", p, *multiclass_data(rnd.randint(20, 40), 3, True, ignore))
    for ignore in (None, -1):
        p = {"num_labels": 3, "threshold": 0.4}
        if ignore is not None:
            p["ignore_index"] = ignore
        add("exact_match", tm.ExactMatch, "multilabel", p, *multilabel_data(rnd.randint(20, 40), 3, False, ignore))
        add("exact_match", tm.ExactMatch, "multilabel", p, *multilabel_data(rnd.randint(20, 40), 3, True, ignore, extra=2))

    # Score metrics.
    for norm in ("l1", "l2", "max"):
        for n_bins, ignore, logits in ((15, None, False), (10, -1, True), (4, -1, False)):
            p = {"n_bins": n_bins, "norm": norm}
            if ignore is not None:
                p["ignore_index"] = ignore
            add("calibration_error", tm.CalibrationError, "binary", p, *binary_data(rnd.randint(30, 80), logits, ignore))
            pm = {"num_classes": 4, **p}
            add("calibration_error", tm.CalibrationError, "multiclass", pm,
                *multiclass_data(rnd.randint(30, 80), 4, logits, None if ignore is None else 2))
    for squared in (False, True):
        for ignore, logits in ((None, False), (-1, True)):
            p = {"squared": squared}
            if ignore is not None:
                p["ignore_index"] = ignore
            add("hinge_loss", tm.HingeLoss, "binary", p, *binary_data(rnd.randint(20, 60), logits, ignore))
            for mode in ("crammer-singer", "one-vs-all"):
                pm = {"num_classes": 4, "multiclass_mode": mode, **p}
                add("hinge_loss", tm.HingeLoss, "multiclass", pm,
                    *multiclass_data(rnd.randint(20, 60), 4, logits, None if ignore is None else 0))

    # Curves and the operating points read off them.
    points = {"sensitivity_at_specificity": (tm.SensitivityAtSpecificity, "min_specificity"),
              "specificity_at_sensitivity": (tm.SpecificityAtSensitivity, "min_sensitivity"),
              "precision_at_fixed_recall": (tm.PrecisionAtFixedRecall, "min_recall"),
              "recall_at_fixed_precision": (tm.RecallAtFixedPrecision, "min_precision")}
    curves = {"roc": (tm.ROC, None), "precision_recall_curve": (tm.PrecisionRecallCurve, None), **points}
    for metric, (cls, minimum) in curves.items():
        for thresholds in (None, 11, [0.9, 0.15, 0.5, 0.35]):
            for ignore in (None, -1):
                p = {"thresholds": thresholds}
                if minimum:
                    p[minimum] = rnd.choice([0.33, 0.57, 0.77])
                if ignore is not None:
                    p["ignore_index"] = ignore
                add(metric, cls, "binary", p, *binary_data(rnd.randint(20, 50), thresholds is not None and rnd.random() < 0.5, ignore))
                pl = {"num_labels": 3, **p}
                add(metric, cls, "multilabel", pl,
                    *multilabel_data(rnd.randint(20, 50), 3, thresholds is not None and rnd.random() < 0.5, ignore))
            for ignore, absent in ((None, False), (2, True)):
                p = {"num_classes": 4, "thresholds": thresholds}
                if minimum:
                    p[minimum] = rnd.choice([0.33, 0.57, 0.77])
                if ignore is not None:
                    p["ignore_index"] = ignore
                add(metric, cls, "multiclass", p,
                    *multiclass_data(rnd.randint(20, 50), 4, thresholds is not None and rnd.random() < 0.5, ignore, absent))
        # Ties of scores (exact curves merge them into one point), and no positive at all.
        tied = [0.25, 0.75, 0.25, 0.55, 0.75, 0.25, 0.55, 0.95, 0.05, 0.55]
        p = {"thresholds": None}
        if minimum:
            p[minimum] = 0.57
        add(metric, cls, "binary", p, tied, [0, 1, 1, 0, 1, 0, 1, 1, 0, 0], "tied scores")
        add(metric, cls, "binary", p, tied, [0] * 10, "no positive sample")
    return out


def main():
    folder = sys.argv[1]
    descriptions = {
        "jaccard_index": "jaccard_index (tp / (tp + fp + fn)) for every task and average, ignore_index inside and outside the classes, zero_division",
        "matthews_corrcoef": "matthews_corrcoef for every task, and the 2x2 edge cases (all right, all wrong, one class)",
        "cohen_kappa": "cohen_kappa (binary, multiclass) with weights none / linear / quadratic",
        "hamming_distance": "hamming_distance for every task, average and top_k",
        "negative_predictive_value": "negative_predictive_value (tn / (tn + fn)) for every task, average, top_k and zero_division",
        "exact_match": "exact_match (multiclass with and without extra dimensions, multilabel), ignore_index",
        "calibration_error": "calibration_error (binary, multiclass), n_bins and norm l1 / l2 / max",
        "hinge_loss": "hinge_loss (binary, multiclass crammer-singer / one-vs-all), squared",
        "roc": "roc as [R, N] / [C, R, N] (fpr, tpr, thresholds), exact and binned",
        "precision_recall_curve": "precision_recall_curve as [R, N] / [C, R, N] (precision, recall, thresholds, tp, fp, tn, fn), exact and binned",
        "sensitivity_at_specificity": "sensitivity_at_specificity as (value, threshold), exact and binned",
        "specificity_at_sensitivity": "specificity_at_sensitivity as (value, threshold), exact and binned",
        "precision_at_fixed_recall": "precision_at_fixed_recall as (value, threshold), exact and binned",
        "recall_at_fixed_precision": "recall_at_fixed_precision as (value, threshold), exact and binned",
    }
    # Tolerances a test uses, with the reason: TorchMetrics computes in float32.
    loose = {"calibration_error", "hinge_loss"}
    for metric, vectors in cases().items():
        doc = {
            "description": "TorchMetrics 1.9 values of " + descriptions[metric] + ": random cases computed by TorchMetrics"
                           " itself with make_classification_vectors.py, each with its rows cut into ranks and uneven"
                           " batches (splits). Same format as torchmetrics-vectors.json; params are complete (our names).",
            "params_complete": True,
            "tolerance": 1e-5 if metric in loose else 1e-6,
            "tolerance_reason": ("sums of float32 probabilities (sigmoid / softmax of logits) over up to 80 samples"
                                 if metric in loose else
                                 "ratios of integer counts and float32 scores as thresholds: float32 rounds each to 2^-24"),
            "count": len(vectors),
            "vectors": vectors,
        }
        with open(os.path.join(folder, metric + ".json"), "w") as f:
            f.write(json.dumps(doc, indent=1) + "\n")
        print(metric, len(vectors), "cases")


main()
