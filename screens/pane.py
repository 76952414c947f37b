"""The base of the four panes: a pane may mount after results have arrived, and asks for them then."""

from __future__ import annotations

from dataclasses import dataclass

from textual.containers import Vertical
from textual.message import Message


class Pane(Vertical):
    """A pane of the main screen. Panes behind tabs mount lazily, after the first frame."""

    @dataclass
    class Mounted(Message):
        """The pane is mounted and wants the latest results replayed to it."""

        pane: Pane

    def on_mount(self) -> None:
        self.post_message(self.Mounted(self))
