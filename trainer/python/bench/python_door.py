"""What the Python door costs a Lightning user, against what TorchMetrics costs in-process.

    PYTHONPATH=/path/to/torchmetrics/src /usr/bin/python3 trainer/python/bench/python_door.py [--reps 5] [--quick]

Per training step, B = 256, one torch thread, CPU time (``time.thread_time`` of the training thread,
``time.process_time`` of the whole process, the writer's thread included, up to the writer's close):

* the callback's ``on_train_batch_end`` with the default file target, against the same loop without it;
* TorchMetrics' ``update()`` of accuracy + macro F1 + binned AUROC (100 thresholds) on the same batch,
  where TorchMetrics imports (say so where it does not);
* bytes per step (the step line, base64 included) against the raw float32 predictions (B x C x 4);
* at C = 10, 100, 1000 with float32 probabilities, float16 ones, and lists; and the token case
  (C = 32 000, 2 048 tokens a step, with loss): label preds, what ``label_preds=True`` costs on CPU,
  and what a trainer-side metric state would cost instead.

Prints Markdown. ``--write-lines DIR --classes C --steps N`` instead writes one run of N steps at C
classes through the real writer twice, ``DIR/packed/`` and ``DIR/lists/`` (the stream app's input for
``./epochstream bench --only python``). ``--package DIR`` measures another copy of the package (an
older release) with the same loop.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
B = 256
TOKENS, VOCABULARY, PADDING = 2048, 32000, -100


def load_package(path):
    sys.path.insert(0, os.path.join(HERE, "..", "tests"))
    sys.path.insert(0, path or os.path.join(HERE, ".."))
    from epochstream.lightning import EpochstreamCallback
    from lightning_stand_in import LightningTrainerStandIn
    return EpochstreamCallback, LightningTrainerStandIn


def torchmetrics_or_none():
    try:
        import torchmetrics
        return torchmetrics
    except ImportError as e:
        return e


def batches(torch, classes, steps, dtype):
    g = torch.Generator().manual_seed(classes)
    out = []
    for _ in range(steps):
        logits = torch.randn(B, classes, generator=g)
        out.append({"loss": torch.nn.functional.cross_entropy(logits, torch.zeros(B, dtype=torch.long)),
                    "preds": logits.softmax(-1).to(dtype), "target": torch.randint(0, classes, (B,), generator=g)})
    return out


class Loop:
    """A training loop's hook calls, with or without the callback; CPU seconds of both kinds."""

    def __init__(self, Callback, Trainer, callback_args):
        self.Callback, self.Trainer, self.args = Callback, Trainer, callback_args

    def run(self, outputs, with_callback):
        directory = tempfile.mkdtemp(prefix="epochstream-bench-")
        try:
            callback = self.Callback(run="bench", target=directory, **self.args) if with_callback else None
            trainer = self.Trainer([callback] if callback else [])
            writer = None
            if callback:
                callback.on_train_start(trainer, None)
                writer = getattr(callback, "_writer", None)
                if hasattr(writer, "flush"):
                    writer.flush()  # the run line is out: only steps are measured
            process, thread = time.process_time(), time.thread_time()
            for i, out in enumerate(outputs):
                if callback:
                    callback.on_train_batch_end(trainer, None, out, None, i)
            thread = time.thread_time() - thread
            if callback:
                callback.on_train_epoch_end(trainer, None)
                callback.teardown(trainer, None, "fit")  # what the writer's thread still held: drained, counted
            process = time.process_time() - process
            step_bytes = 0
            for name in os.listdir(directory):
                with open(os.path.join(directory, name), "rb") as f:
                    step_bytes += sum(len(line) for line in f if line.startswith(b'{"type":"step"'))
            return thread, process, step_bytes / len(outputs), getattr(writer, "blocked_writes", 0)
        finally:
            shutil.rmtree(directory, ignore_errors=True)


def torchmetrics_update(tm, torch, classes, outputs, token_labels=False):
    """Thread CPU seconds of TorchMetrics' update over the steps (accuracy + macro F1 + binned AUROC)."""
    if token_labels:
        metrics = [tm.classification.MulticlassAccuracy(num_classes=classes, average="micro", ignore_index=PADDING)]
    else:
        metrics = [tm.classification.MulticlassAccuracy(num_classes=classes, average="micro"),
                   tm.classification.MulticlassF1Score(num_classes=classes, average="macro"),
                   tm.classification.MulticlassAUROC(num_classes=classes, thresholds=100)]
    start = time.thread_time()
    for out in outputs:
        for m in metrics:
            m.update(out["preds"].float() if not token_labels else out["preds"], out["target"])
    return time.thread_time() - start


def median(values):
    return statistics.median(values)


def spread(values, scale=1.0, fmt="%.3f"):
    values = sorted(v * scale for v in values)
    text = fmt % median(values)
    return text if len(values) == 1 else "%s (%s–%s)" % (text, fmt % values[0], fmt % values[-1])


def classification(args, torch, tm, Callback, Trainer, md):
    md.append("### Per training step at B = 256: the callback against TorchMetrics' update (CPU ms per step)\n")
    md.append("| C | preds | training thread, callback | … ÷ TorchMetrics (goal ≤ 0.05 at C = 1000) | all the writer's CPU "
              "(incl. background, to close) | … ÷ TorchMetrics (goal ≤ 0.2 at C = 1000) | TorchMetrics update | bytes per step | "
              "÷ raw float32 (goal ≤ 1.4; float16 ≤ 0.7) | blocked writes |")
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    classes_list = [10, 100] if args.quick else [10, 100, 1000]
    for classes in classes_list:
        steps = {10: 400, 100: 200, 1000: 50}[classes] // (4 if args.quick else 1)
        tm_times = []
        for form, dtype, extra in (("float32", torch.float32, {}), ("float16", torch.float16, {}), ("float32, lists=True", torch.float32, {"lists": True})):
            if args.package and extra:
                continue
            outputs = batches(torch, classes, steps, dtype)
            loop = Loop(Callback, Trainer, extra)
            loop.run(outputs[:5], True)  # warm-up: imports, allocator, the first line
            base = [loop.run(outputs, False) for _ in range(args.reps)]
            runs = [loop.run(outputs, True) for _ in range(args.reps)]
            if not isinstance(tm, Exception) and not tm_times:
                torchmetrics_update(tm, torch, classes, outputs[:3])
                tm_times = [torchmetrics_update(tm, torch, classes, outputs) / steps for _ in range(args.reps)]
            thread = [(r[0] - median([b[0] for b in base])) / steps for r in runs]
            total = [(r[1] - median([b[1] for b in base])) / steps for r in runs]
            tm_ms = median(tm_times) if tm_times else None
            md.append("| %d | %s | %s | %s | %s | %s | %s | %s | %.3f | %s |" % (
                classes, form, spread(thread, 1e3), "%.4f" % (median(thread) / tm_ms) if tm_ms else "n/a",
                spread(total, 1e3), "%.3f" % (median(total) / tm_ms) if tm_ms else "n/a",
                spread(tm_times, 1e3, "%.2f") if tm_times else "n/a", "{:,.0f}".format(median([r[2] for r in runs])),
                median([r[2] for r in runs]) / (B * classes * 4), sum(r[3] for r in runs)))
            print("bench: C=%d %s done" % (classes, form), file=sys.stderr)
    md.append("")


def tokens(args, torch, tm, Callback, Trainer, md):
    steps = 5 if args.quick else 20
    g = torch.Generator().manual_seed(7)
    outputs, logits_outputs = [], []
    logits = torch.randn(TOKENS, VOCABULARY, generator=g).to(torch.bfloat16)  # one head output, reused
    for _ in range(steps):
        target = torch.randint(0, VOCABULARY, (TOKENS,), generator=g)
        target[-TOKENS // 10:] = PADDING
        preds = torch.where(torch.rand(TOKENS, generator=g) < 0.35, target.clamp(min=0),
                            torch.randint(0, VOCABULARY, (TOKENS,), generator=g)).to(torch.int16)
        loss = torch.rand((), generator=g) + 2
        outputs.append({"loss": loss, "preds": preds, "target": target})
        logits_outputs.append({"loss": loss, "preds": logits, "target": target})
    md.append("### The token case: C = 32 000, 2 048 tokens a step, with loss (CPU ms per step)\n")
    md.append("| what the step sends | training thread | all the writer's CPU | bytes per step |")
    md.append("|---|---:|---:|---:|")
    cases = [("label preds (int16, argmax taken on the device) + int64 target, padding −100", outputs, {})]
    if not args.package:
        cases.append(("bfloat16 logits with `label_preds=True` (the argmax on this CPU)", logits_outputs, {"label_preds": True}))
    for name, outs, extra in cases:
        loop = Loop(Callback, Trainer, dict(extra, log_lr=False))
        loop.run(outs[:2], True)
        base = [loop.run(outs, False) for _ in range(args.reps)]
        runs = [loop.run(outs, True) for _ in range(args.reps)]
        thread = [(r[0] - median([b[0] for b in base])) / steps for r in runs]
        total = [(r[1] - median([b[1] for b in base])) / steps for r in runs]
        md.append("| %s | %s | %s | %s |" % (name, spread(thread, 1e3), spread(total, 1e3), "{:,.0f}".format(median([r[2] for r in runs]))))
    md.append("| probabilities instead (float32, packed) | | | %s |" % "{:,.0f}".format(TOKENS * VOCABULARY * 4 * 4 / 3))
    # What a trainer-side state would be instead of the labels: a stat-score state is tp, fp, tn, fn per class.
    state_cpu, state_bytes, state_zlib = [], 0, []
    for _ in range(args.reps):
        start = time.thread_time()
        for out in outputs:
            keep = out["target"] != PADDING
            y, p = out["target"][keep].long(), out["preds"][keep].long()
            hit = p == y
            tp = torch.bincount(y[hit], minlength=VOCABULARY)
            fp = torch.bincount(p[~hit], minlength=VOCABULARY)
            fn = torch.bincount(y[~hit], minlength=VOCABULARY)
            tn = keep.sum() - tp - fp - fn
            raw = torch.stack([tp, fp, tn, fn]).double().numpy().tobytes()
            state_bytes = len(raw)
            state_zlib.append(len(zlib.compress(raw, 1)))
        state_cpu.append((time.thread_time() - start) / steps)
    md.append("| a stat-score state instead (4 × C doubles, one metric; raw → zlib level 1) | %s | | %s → %s |" % (
        spread(state_cpu, 1e3), "{:,}".format(state_bytes), "{:,.0f}".format(median(state_zlib))))
    if isinstance(tm, Exception):
        md.append("\nTorchMetrics is not importable here (%s): no in-process figure." % tm)
    else:
        torchmetrics_update(tm, torch, VOCABULARY, outputs[:2], token_labels=True)
        t = [torchmetrics_update(tm, torch, VOCABULARY, outputs, token_labels=True) / steps for _ in range(args.reps)]
        md.append("\nTorchMetrics in-process on the same labels: `MulticlassAccuracy(average=\"micro\", ignore_index=-100)` "
                  "update %s ms per step. Its macro F1 (and any macro stat score) is not run: with top_k = 1 its update "
                  "bins target × C + preds into C² = %s counters (%.1f GB of int64) per step." % (
                      spread(t, 1e3), "{:,}".format(VOCABULARY ** 2), VOCABULARY ** 2 * 8 / 1e9))
    md.append("")
    print("bench: tokens done", file=sys.stderr)


def write_lines(args, torch, Callback, Trainer):
    outputs = batches(torch, args.classes, args.steps, torch.float32)
    for form, extra in (("packed", {}), ("lists", {"lists": True})):
        directory = os.path.join(args.write_lines, form)
        os.makedirs(directory, exist_ok=True)
        callback = Callback(run="py-" + form, target=directory, log_lr=False, **extra,
                            metrics={"acc": {"metric": "accuracy", "task": "multiclass", "num_classes": args.classes},
                                     "f1": {"metric": "f1_score", "task": "multiclass", "num_classes": args.classes, "average": "macro"},
                                     "auroc": {"metric": "auroc", "task": "multiclass", "num_classes": args.classes, "thresholds": 100}})
        trainer = Trainer([callback])
        callback.on_train_start(trainer, None)
        for i, out in enumerate(outputs):
            callback.on_train_batch_end(trainer, None, out, None, i)
        callback.on_train_epoch_end(trainer, None)
        callback.on_fit_end(trainer, None)
        callback.teardown(trainer, None, "fit")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--package", help="bench the epochstream package in this directory instead")
    parser.add_argument("--write-lines", metavar="DIR")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()
    import torch
    torch.set_num_threads(1)
    Callback, Trainer = load_package(args.package)
    if args.write_lines:
        write_lines(args, torch, Callback, Trainer)
        return
    tm = torchmetrics_or_none()
    md = ["Python %s, torch %s, TorchMetrics %s, one torch thread; %d repetitions, median (min–max); CPU time per step, "
          "the loop's own time without the callback subtracted. Command: `%s`.\n" % (
              sys.version.split()[0], torch.__version__, getattr(tm, "__version__", "not importable: %s" % tm), args.reps,
              " ".join(["python3", "trainer/python/bench/python_door.py"] + sys.argv[1:]))]
    classification(args, torch, tm, Callback, Trainer, md)
    tokens(args, torch, tm, Callback, Trainer, md)
    print("\n".join(md))


if __name__ == "__main__":
    main()
