"""A sparkline on a fixed 0 to 100 % scale (Textual's own rescales to the data, which hides flat progress)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

BLOCKS = " ▁▂▃▄▅▆▇█"


def sparkline_text(values: Sequence[float], width: int) -> Text:
    """Values in 0..1 drawn as one row of block characters, resampled to ``width`` cells."""
    if not values or width <= 0:
        return Text("")
    count = len(values)
    if count <= width:
        cells = list(values)
    else:  # each cell shows the best point of its slice, so a brief peak stays visible
        cells = [max(values[c * count // width : (c + 1) * count // width]) for c in range(width)]
    text = Text()
    for value in cells:
        level = round(min(max(value, 0.0), 1.0) * (len(BLOCKS) - 1))
        text.append(BLOCKS[level], style="green" if value >= 1.0 else "blue")
    return text


class ProgressSparkline(Static):
    """Overall progress over time; a dim note until there are two points to draw."""

    DEFAULT_CSS = """
    ProgressSparkline {
        height: 1;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._values: list[float] = []

    def show(self, values: Sequence[float]) -> None:
        """Draw ``values`` (fractions in 0..1, oldest first)."""
        self._values = list(values)
        self.refresh()

    def render(self) -> Text:
        if len(self._values) < 2:
            return Text("not enough history yet", style="dim")
        return sparkline_text(self._values, self.content_region.width or 40)
