"""Epoch figures computed by TorchMetrics itself: each case is an epoch cut into ranks and, per rank,
uneven batches (one update each); the figure is what TorchMetrics gives for the whole epoch after
the ranks' states are synchronised as DDP does it (Metric._sync_dist: "sum" states summed, "cat"
states concatenated in rank order, dist_reduce_fx=None states stacked for the metric's own
aggregation). EpochReferenceTest folds the same batches per rank, merges the ranks and compares.

Run with TorchMetrics' and lightning-utilities' src on PYTHONPATH (and torch installed):
  PYTHONPATH=torchmetrics/src:utilities/src python3 make_epoch_vectors.py DIR
It writes DIR/epoch-segmentation.json, DIR/epoch-regression.json and DIR/epoch-classification-extra-dims.json.

Inputs: masks and labels as int64; classification scores as float32 on a 0.01 grid offset by 0.005
(no score equals a threshold, so float32 and float64 agree on every comparison); regression values
as float64 with the regression metrics' states set to float64 (TorchMetrics then computes in
float64). Segmentation and classification figures are float32 (TorchMetrics divides counts in
float32), hence their tolerance.
"""
import json
import math
import random
import sys
import warnings

import torch
import torchmetrics
from torchmetrics.segmentation import DiceScore, GeneralizedDiceScore, MeanIoU
from torchmetrics.utilities.data import dim_zero_cat

warnings.filterwarnings("ignore")
rnd = random.Random(20261208)
torch.manual_seed(20261208)
SOURCE = f"computed by TorchMetrics {torchmetrics.__version__} on torch {torch.__version__}: make_epoch_vectors.py"


def synced(make, ranks):
    """TorchMetrics' value of the epoch: one metric per rank, each batch an update, then _sync_dist's reductions."""
    metrics = []
    for batches in ranks:
        m = make()
        for preds, target in batches:
            m.update(preds, target)
        metrics.append(m)
    m0 = metrics[0]
    if len(metrics) > 1:
        for attr, fn in m0._reductions.items():
            values = [getattr(m, attr) for m in metrics]
            if isinstance(values[0], list):
                setattr(m0, attr, dim_zero_cat([dim_zero_cat(v) for v in values if len(v) > 0]))
            else:
                stacked = torch.stack(values)
                setattr(m0, attr, fn(stacked) if fn is not None else stacked)
        m0._computed = None
    return m0.compute()


def figure(value):
    v = value.tolist() if isinstance(value, torch.Tensor) else value

    def clean(x):
        if isinstance(x, list):
            return [clean(y) for y in x]
        return "NaN" if isinstance(x, float) and math.isnan(x) else x

    return clean(v)


def encode(t):
    dtype = str(t.dtype).replace("torch.", "")
    return {"values": t.tolist(), "dtype": dtype}


def split(n, ranks):
    """n samples cut into `ranks` ranks of uneven sizes, each into 1-3 uneven batches: lists of (start, end)."""
    cuts = sorted(rnd.sample(range(1, n), ranks - 1)) if ranks > 1 else []
    bounds = [0] + cuts + [n]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        size = b - a
        k = min(size, rnd.randint(1, 3))
        inner = sorted(rnd.sample(range(1, size), k - 1)) if k > 1 else []
        edges = [a] + [a + c for c in inner] + [b]
        out.append(list(zip(edges, edges[1:])))
    return out


def case(name, metric, params, torch_call, make, preds, target, ranks, tolerance, why):
    pieces = split(preds.shape[0], ranks)
    tm_ranks = [[(preds[a:b], target[a:b]) for a, b in rank] for rank in pieces]
    expected = figure(synced(make, tm_ranks))
    return {
        "name": name, "metric": metric, "params": params, "torchmetrics": torch_call,
        "ranks": [[{"preds": encode(preds[a:b]), "target": encode(target[a:b])} for a, b in rank] for rank in pieces],
        "expected": expected, "tolerance": tolerance, "why": why, "source": SOURCE,
    }


def skewed(shape, classes):
    """Class indices with skewed frequencies, so that a class is often missing from an image."""
    weights = torch.tensor([1.0 / (1 + c * c) for c in range(classes)])
    return torch.multinomial(weights, int(torch.tensor(shape).prod()), replacement=True).reshape(shape)


def one_hot(index, classes):
    return torch.nn.functional.one_hot(index, classes).movedim(-1, 1)


def grid_scores(shape):
    return (torch.randint(0, 100, shape).float() / 100 + 0.005)


# ------------------------------------------------------------------ segmentation
SEG_TOL = 2e-6
SEG_WHY = "TorchMetrics divides the integer counts in float32 and averages the images' scores in float32"


def segmentation():
    out = []

    def masks(fmt, classes, spatial, n, hot_preds=None):
        idx_p = skewed((n,) + spatial, classes)
        idx_t = skewed((n,) + spatial, classes)
        if fmt == "index":
            return idx_p, idx_t, "index masks int64"
        if fmt == "one-hot-int":
            # several classes or none at a pixel: independent bits
            t = (torch.rand((n, classes) + spatial) < 0.35).long()
            return one_hot(idx_p, classes), t, "one-hot int64 preds, multi-hot int64 target"
        if fmt == "one-hot-scores":
            return grid_scores((n, classes) + spatial), one_hot(idx_t, classes), "float32 scores (argmax'ed), one-hot int64 target"
        if fmt == "mixed-scores":
            return grid_scores((n, classes) + spatial), idx_t, "float32 scores [N, C, ...], index target"
        if fmt == "mixed-index-preds":
            return idx_p, one_hot(idx_t, classes), "index preds, one-hot int64 target [N, C, ...]"
        raise ValueError(fmt)

    def input_format(fmt):
        return {"index": "index", "one-hot-int": "one-hot", "one-hot-scores": "one-hot"}.get(fmt, "mixed")

    # DiceScore: every average and aggregation level, each input format, background in and out, 2-D and 3-D.
    combos = []
    for fmt in ("index", "one-hot-int", "one-hot-scores", "mixed-scores", "mixed-index-preds"):
        for average in ("macro", "micro", "weighted", None):
            for level in ("samplewise", "global"):
                combos.append((fmt, average, level))
    for i, (fmt, average, level) in enumerate(combos):
        classes = 3 + (i % 2)
        include = i % 3 != 1
        spatial = (2, 3, 4) if i % 4 == 3 else (4, 5)
        n = rnd.randint(8, 16)
        preds, target, desc = masks(fmt, classes, spatial, n)
        params = {"num_classes": classes, "include_background": include, "input_format": input_format(fmt),
                  "aggregation_level": level}
        if average != "macro" or i % 5 == 0:
            params["average"] = average
        call = "DiceScore(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"
        ranks = 1 + i % 3
        out.append(case(f"dice_score {params} {desc} {list(spatial)}, {ranks} rank(s)", "dice_score", params, call,
                        lambda p=params: DiceScore(**p), preds, target, ranks, SEG_TOL, SEG_WHY))
    # The DiceScore defaults (macro, samplewise, one-hot) with nothing but num_classes.
    preds, target, desc = masks("one-hot-int", 3, (4, 5), 12)
    out.append(case("dice_score defaults, " + desc, "dice_score", {"num_classes": 3}, "DiceScore(num_classes=3)",
                    lambda: DiceScore(num_classes=3), preds, target, 3, SEG_TOL, SEG_WHY))

    # GeneralizedDiceScore: each weight type (absent classes exercise the infinite-weight rule), per class or not.
    i = 0
    for weight in ("square", "simple", "linear"):
        for per_class in (False, True):
            for fmt in ("index", "one-hot-int", "mixed-scores"):
                classes = 3 + (i % 2)
                params = {"num_classes": classes, "weight_type": weight, "per_class": per_class,
                          "input_format": input_format(fmt), "include_background": i % 4 != 2}
                spatial = (2, 2, 3) if i % 5 == 4 else (3, 4)
                preds, target, desc = masks(fmt, classes, spatial, rnd.randint(8, 16))
                call = "GeneralizedDiceScore(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"
                ranks = 1 + i % 3
                out.append(case(f"generalized_dice_score {params} {desc} {list(spatial)}, {ranks} rank(s)",
                                "generalized_dice_score", params, call, lambda p=params: GeneralizedDiceScore(**p),
                                preds, target, ranks, SEG_TOL, SEG_WHY))
                i += 1

    # Classes missing from most images' targets: infinite weights, replaced by TorchMetrics' rule within each update.
    for weight in ("square", "simple"):
        for per_class in (False, True):
            n = 14
            target = skewed((n, 3, 4), 4)
            target[target == 3] = 2
            target[: n // 2][target[: n // 2] == 1] = 0
            preds = skewed((n, 3, 4), 4)
            params = {"num_classes": 4, "weight_type": weight, "per_class": per_class, "input_format": "index"}
            call = "GeneralizedDiceScore(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"
            out.append(case(f"generalized_dice_score {params}, classes missing from most targets, 3 ranks",
                            "generalized_dice_score", params, call, lambda p=params: GeneralizedDiceScore(**p),
                            preds, target, 3, SEG_TOL, SEG_WHY))

    # MeanIoU: per class or not, formats, background, num_classes left out for one-hot masks.
    i = 0
    for per_class in (False, True):
        for fmt in ("index", "one-hot-int", "one-hot-scores", "mixed-scores", "mixed-index-preds"):
            classes = 3 + (i % 2)
            params = {"num_classes": classes, "per_class": per_class, "input_format": input_format(fmt),
                      "include_background": i % 3 != 2}
            if not per_class and fmt in ("one-hot-int", "one-hot-scores"):
                del params["num_classes"]
            spatial = (2, 3, 3) if i % 4 == 1 else (4, 5)
            preds, target, desc = masks(fmt, classes, spatial, rnd.randint(8, 16))
            call = "MeanIoU(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"
            ranks = 1 + (i + 1) % 3
            out.append(case(f"mean_iou {params} {desc} {list(spatial)}, {ranks} rank(s)", "mean_iou", params, call,
                            lambda p=params: MeanIoU(**p), preds, target, ranks, SEG_TOL, SEG_WHY))
            i += 1
    # A class that never occurs in any mask: per_class gives -1 for it.
    preds = skewed((10, 4, 5), 3)
    target = skewed((10, 4, 5), 3)
    out.append(case("mean_iou per_class with class 3 never present", "mean_iou",
                    {"num_classes": 4, "per_class": True, "input_format": "index"},
                    "MeanIoU(num_classes=4, per_class=True, input_format='index')",
                    lambda: MeanIoU(num_classes=4, per_class=True, input_format="index"), preds, target, 2, SEG_TOL, SEG_WHY))
    return out


# ------------------------------------------------------------------ regression
REG_TOL = 1e-9
REG_WHY = "TorchMetrics computed in float64 (float64 inputs, states set to float64); sums in another order"


def regression():
    out = []
    R = torchmetrics.regression

    def values(shape, positive=False):
        v = torch.randn(shape, dtype=torch.float64) * 3
        return v.abs() + 0.05 if positive else v

    def add(metric, params, tm_cls, tm_params, preds, target, ranks):
        call = f"{tm_cls.__name__}(" + ", ".join(f"{k}={v!r}" for k, v in tm_params.items()) + ").set_dtype(torch.float64)"
        # CosineSimilarity casts its inputs to float32 whatever their dtype
        tolerance, why = (1e-6, "TorchMetrics' CosineSimilarity casts its inputs to float32") if metric == "cosine_similarity" \
            else (REG_TOL, REG_WHY)
        out.append(case(f"{metric} {params}, {ranks} rank(s)", metric, params, call,
                        lambda: tm_cls(**tm_params).set_dtype(torch.float64), preds, target, ranks, tolerance, why))

    for ranks in (1, 3):
        n = rnd.randint(25, 40)
        # correlated preds, so the scores are not all near 0
        t = values((n,))
        p = t + values((n,)) * 0.5
        add("r2_score", {}, R.R2Score, {}, p, t, ranks)
        add("r2_score", {"adjusted": 3}, R.R2Score, {"adjusted": 3}, p, t, ranks)
        add("explained_variance", {}, R.ExplainedVariance, {}, p, t, ranks)
        add("pearson_corrcoef", {}, R.PearsonCorrCoef, {}, p, t, ranks)
        add("log_cosh_error", {}, R.LogCoshError, {}, p, t, ranks)
        add("mean_absolute_percentage_error", {}, R.MeanAbsolutePercentageError, {}, p, t, ranks)
        add("symmetric_mean_absolute_percentage_error", {}, R.SymmetricMeanAbsolutePercentageError, {}, p, t, ranks)
        pp, tp = values((n,), True), values((n,), True)
        add("mean_squared_log_error", {}, R.MeanSquaredLogError, {}, pp, tp, ranks)
        t3 = values((n, 3))
        p3 = t3 + values((n, 3)) * torch.tensor([0.3, 1.0, 2.5], dtype=torch.float64)
        for multioutput in ("raw_values", "uniform_average", "variance_weighted"):
            add("r2_score", {"num_outputs": 3, "multioutput": multioutput}, R.R2Score, {"multioutput": multioutput}, p3, t3, ranks)
            add("explained_variance", {"num_outputs": 3, "multioutput": multioutput}, R.ExplainedVariance,
                {"multioutput": multioutput}, p3, t3, ranks)
        add("r2_score", {"num_outputs": 3, "multioutput": "raw_values", "adjusted": 2}, R.R2Score,
            {"multioutput": "raw_values", "adjusted": 2}, p3, t3, ranks)
        add("pearson_corrcoef", {"num_outputs": 3}, R.PearsonCorrCoef, {"num_outputs": 3}, p3, t3, ranks)
        add("log_cosh_error", {"num_outputs": 3}, R.LogCoshError, {"num_outputs": 3}, p3, t3, ranks)
        add("mean_absolute_percentage_error", {}, R.MeanAbsolutePercentageError, {}, p3, t3, ranks)
        add("cosine_similarity", {}, R.CosineSimilarity, {}, p3, t3, ranks)
        add("cosine_similarity", {"reduction": "mean"}, R.CosineSimilarity, {"reduction": "mean"}, p3, t3, ranks)
    # Pearson across three ranks of very uneven sizes (1, 2 and many observations) and shifted means:
    # the parallel-variance merge, not a sum of raw moments.
    n = 60
    t = values((n,)) + 1000.0
    p = 0.5 * t + values((n,))
    pieces = [[(0, 1)], [(1, 3)], [(3, 20), (20, 60)]]
    tm_ranks = [[(p[a:b], t[a:b]) for a, b in rank] for rank in pieces]
    expected = figure(synced(lambda: R.PearsonCorrCoef().set_dtype(torch.float64), tm_ranks))
    out.append({"name": "pearson_corrcoef over ranks of 1, 2 and 57 observations, means near 1000", "metric": "pearson_corrcoef",
                "params": {}, "torchmetrics": "PearsonCorrCoef().set_dtype(torch.float64)",
                "ranks": [[{"preds": encode(p[a:b]), "target": encode(t[a:b])} for a, b in rank] for rank in pieces],
                "expected": expected, "tolerance": REG_TOL, "why": REG_WHY, "source": SOURCE})
    return out


# ------------------------------------------------------------------ classification with extra dimensions
CLS_TOL = 1e-6
CLS_WHY = "TorchMetrics computes the ratios (and the curves) in float32"


def classification():
    out = []
    names = {"accuracy": torchmetrics.Accuracy, "precision": torchmetrics.Precision, "recall": torchmetrics.Recall,
             "f1_score": torchmetrics.F1Score, "fbeta_score": torchmetrics.FBetaScore, "stat_scores": torchmetrics.StatScores,
             "confusion_matrix": torchmetrics.ConfusionMatrix, "specificity": torchmetrics.Specificity,
             "average_precision": torchmetrics.AveragePrecision, "auroc": torchmetrics.AUROC}

    def add(metric, params, preds, target, ranks, desc):
        tm_params = dict(params)
        call = f"{names[metric].__name__}(" + ", ".join(f"{k}={v!r}" for k, v in tm_params.items()) + ")"
        out.append(case(f"{metric} {params} {desc}, {ranks} rank(s)", metric, params, call,
                        lambda: names[metric](**tm_params), preds, target, ranks, CLS_TOL, CLS_WHY))

    i = 0
    for metric in names:
        extra = {"fbeta_score": {"beta": 2.0}}.get(metric, {})
        ranked = metric in ("average_precision", "auroc")
        counted = metric not in ("confusion_matrix",) and not ranked
        # binary [N, H, W]: probabilities, and label preds for the counting metrics
        n = rnd.randint(6, 12)
        probs = grid_scores((n, 3, 4))
        labels = (torch.rand((n, 3, 4)) < 0.4).long()
        params = {"task": "binary", **extra}
        if i % 2 == 0:
            params["ignore_index"] = -1
            labels_t = labels.clone()
            labels_t[torch.rand(labels.shape) < 0.1] = -1
        else:
            labels_t = labels
        add(metric, params, probs, labels_t, 1 + i % 3, "binary probabilities [N, 3, 4]")
        if not ranked:
            add(metric, {"task": "binary", **extra}, (torch.rand((n, 3, 4)) < 0.5).long(), labels, 2, "binary label preds [N, 3, 4]")
        # multiclass scores [N, C, H, W] with target [N, H, W]; label preds [N, H, W]
        c = 4
        scores = torch.softmax(torch.randn((n, c, 3, 4)), dim=1)
        scores = (scores * 100).floor() / 100 + 0.001 * torch.arange(c).view(1, c, 1, 1)  # distinct within a pixel
        target = skewed((n, 3, 4), c)
        averages = ("macro", "weighted", None) if ranked else (("micro", "macro", "weighted", None) if counted else (None,))
        for average in averages:
            params = {"task": "multiclass", "num_classes": c, **extra}
            if metric == "confusion_matrix":
                params["normalize"] = "true"
            else:
                params["average"] = average
            if i % 3 == 1:
                params["ignore_index"] = 0 if not ranked else 2
            add(metric, params, scores, target, 1 + (i + len(params)) % 3, "multiclass scores [N, 4, 3, 4]")
        if not ranked:
            params = {"task": "multiclass", "num_classes": c, **extra}
            if counted:
                params["average"] = "macro"
            add(metric, params, skewed((n, 3, 4), c), target, 3, "multiclass label preds [N, 3, 4]")
        # multilabel [N, L, H, W]
        l = 3
        ml_preds = grid_scores((n, l, 2, 3))
        ml_target = (torch.rand((n, l, 2, 3)) < 0.4).long()
        for average in (("micro", "macro", None) if counted or ranked else (None,)):
            params = {"task": "multilabel", "num_labels": l, **extra}
            if metric != "confusion_matrix":
                params["average"] = average
            if ranked and i % 2 == 0:
                params["thresholds"] = 11
            add(metric, params, ml_preds, ml_target, 2, "multilabel scores [N, 3, 2, 3]")
        i += 1
    return out


def write(path, description, cases):
    with open(path, "w") as f:
        json.dump({"description": description, "count": len(cases), "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(path, len(cases), "cases")


out_dir = sys.argv[1]
write(f"{out_dir}/epoch-segmentation.json",
      "TorchMetrics 1.9 segmentation metrics (DiceScore, GeneralizedDiceScore, MeanIoU) over epochs cut into ranks and uneven "
      "batches; see make_epoch_vectors.py", segmentation())
write(f"{out_dir}/epoch-regression.json",
      "TorchMetrics 1.9 regression metrics over epochs cut into ranks and uneven batches; see make_epoch_vectors.py",
      regression())
write(f"{out_dir}/epoch-classification-extra-dims.json",
      "TorchMetrics 1.9 classification and ranking metrics on inputs with extra dimensions (multidim_average='global') over "
      "epochs cut into ranks and uneven batches; see make_epoch_vectors.py", classification())
