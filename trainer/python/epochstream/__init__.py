"""epochstream's Python side: write a rank's training events as epochstream JSON lines.

The core (events, tensors, writer) is the standard library only; torch and numpy are used through
the tensors a caller passes, and ``epochstream.lightning`` imports Lightning. See docs/python.md in the
repository.
"""
from .events import epoch_end_event, run_event, run_finished_event, step_event
from .tensors import label_preds
from .writer import EventWriter, WriterFailed, open_writer

__all__ = ["EventWriter", "WriterFailed", "open_writer", "run_event", "step_event", "epoch_end_event",
           "run_finished_event", "label_preds"]
