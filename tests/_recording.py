"""A stand-in for the kernel comm that records what a widget sends (tests without a frontend)."""

from __future__ import annotations


class RecordingComm:
    """Records every message the widget sends, as (data, buffers) pairs."""

    kernel = object()
    comm_id = "recording-comm"

    def __init__(self):
        self.messages = []

    def send(self, data=None, buffers=None, **_):
        self.messages.append((data, buffers or []))

    def close(self, *args, **kwargs):
        pass

    def on_msg(self, *args, **kwargs):
        pass

    def on_close(self, *args, **kwargs):
        pass


def attach_recorder(widget) -> RecordingComm:
    """Replace the widget's comm with a recorder and return it."""
    comm = RecordingComm()
    widget.comm = comm
    return comm
