"""Writes a state delta (format 2, the layout README.md documents) for a multiclass stat-score
metric — TorchMetrics' accuracy / f1_score family, whose states are tp, predicted and support per
class — from predictions given as JSON on stdin: {"metric": name, "classes": C, "preds": [[...]],
"target": [...]}. Prints the delta in hex. No numpy, no epochstream code: the layout alone."""
import json
import sys


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(v):
    return varint((v << 1) ^ (v >> 63))


def counts_state(values):
    """One sum state of integer counts: slot count, encoding 0, runs of non-zero slots."""
    runs, i, end = [], 0, 0
    while i < len(values):
        if values[i] == 0:
            i += 1
            continue
        start = i
        while i < len(values) and values[i] != 0:
            i += 1
        runs.append(varint(start - end) + varint(i - start) + b"".join(zigzag(v) for v in values[start:i]))
        end = i
    return varint(len(values)) + bytes([0]) + varint(len(runs)) + b"".join(runs)


def main():
    req = json.load(sys.stdin)
    c = req["classes"]
    tp, predicted, support = [0] * c, [0] * c, [0] * c
    for scores, t in zip(req["preds"], req["target"]):
        p = max(range(c), key=lambda k: (scores[k], -k))  # argmax, first maximum
        predicted[p] += 1
        support[t] += 1
        if p == t:
            tp[t] += 1
    name = req["metric"].encode("utf-8")
    body = varint(1) + varint(len(name)) + name + varint(3)
    body += counts_state(tp) + counts_state(predicted) + counts_state(support)
    sys.stdout.write((bytes([2]) + body).hex())


main()
