"""A writer process for the tests that end one (stdlib only).

    python3 writer_child.py DIR RUN MODE

Writes epochs of steps (each step a 20 000-value preds list, so lines are long and the writer's
thread is busy) to DIR. After each epoch's end it flushes and prints ``flushed <events>`` on stdout.
MODE ``exit``: three epochs, then leaves the interpreter without closing the writer; ``raise``: the
same, then an uncaught exception; ``forever``: epochs until killed.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from epochstream import epoch_end_event, open_writer, run_event, step_event  # noqa: E402

STEPS = 5
VALUES = 20000


def main(directory, run, mode):
    writer = open_writer(directory, run, 0)
    writer.write(run_event(run, 1))
    events = 1
    epoch = 0
    while mode == "forever" or epoch < 3:
        for step in range(STEPS):
            preds = [((epoch * STEPS + step) * VALUES + i) / 1e6 for i in range(VALUES)]
            writer.write(step_event(run, "train", epoch, 0, epoch * STEPS + step, loss=0.5, preds=preds, target=[0]))
            events += 1
        writer.write(epoch_end_event(run, "train", epoch, 0, STEPS))
        events += 1
        if mode == "forever" or epoch < 2:
            writer.flush()
            print("flushed %d" % events, flush=True)
        epoch += 1
    if mode == "raise":
        raise RuntimeError("the training loop failed")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
