"""The base of the four panes: a pane may mount after results have arrived, and asks for them then."""

from __future__ import annotations

from dataclasses import dataclass

from textual.containers import Vertical
from textual.message import Message
from textual.widget import MountError, Widget


class Pane(Vertical):
    """A pane of the main screen. Panes behind tabs mount lazily, after the first frame."""

    @dataclass
    class Mounted(Message):
        """The pane is mounted and wants the latest results replayed to it."""

        pane: Pane

    def on_mount(self) -> None:
        self.post_message(self.Mounted(self))


class LazyPane(Widget):
    """A pane mounted just after the first frame (Textual's ``Lazy``, minus its crash on a quick quit).

    When the app closes before the first refresh, the tab the pane belongs in is already being removed;
    the pane is then simply never mounted.
    """

    DEFAULT_CSS = "LazyPane { display: none; }"

    def __init__(self, pane: Pane) -> None:
        super().__init__()
        self._pane = pane

    async def mount_composed_widgets(self, widgets: list[Widget]) -> None:
        self.call_after_refresh(self._mount_pane)

    async def _mount_pane(self) -> None:
        parent = self.parent
        if not isinstance(parent, Widget) or not parent.is_attached:
            return
        try:
            await parent.mount(self._pane, after=self)
            await self.remove()
        except MountError:  # the app is closing: the pane is not needed any more
            return
