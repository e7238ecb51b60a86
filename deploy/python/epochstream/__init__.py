"""epochstream's Python side: write a rank's training events as epochstream JSON lines.

The core (events, writer) is the standard library only; ``epochstream.lightning`` imports
Lightning. See the README section "From Python / Lightning".
"""
from .events import epoch_end_event, run_event, run_finished_event, step_event
from .writer import EventWriter, open_writer

__all__ = ["EventWriter", "open_writer", "run_event", "step_event", "epoch_end_event", "run_finished_event"]
