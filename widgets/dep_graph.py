"""A dependency graph of agents drawn as layers: each column can start once the columns left of it are done."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.widgets import Static


def layers(dependencies: Mapping[str, Sequence[str]]) -> tuple[list[list[str]], list[str]]:
    """Agents grouped by depth (longest chain of dependencies below them), and those caught in a cycle.

    Unknown dependencies are ignored here (plan validation reports them).
    """
    depth: dict[str, int] = {}
    remaining = {a: [d for d in deps if d in dependencies] for a, deps in dependencies.items()}
    while True:
        ready = [a for a, deps in remaining.items() if all(d in depth for d in deps)]
        if not ready:
            break
        for agent in sorted(ready):
            depth[agent] = 1 + max((depth[d] for d in remaining[agent]), default=-1)
            del remaining[agent]
    columns: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for agent in dependencies:  # keep the caller's order inside a column
        if agent in depth:
            columns[depth[agent]].append(agent)
    return columns, sorted(remaining)


def render_graph(dependencies: Mapping[str, Sequence[str]], highlight: str | None = None) -> Table:
    """The graph as a table of columns; each agent lists what it waits for."""
    columns, cyclic = layers(dependencies)
    table = Table(box=None, show_header=True, header_style="bold", padding=(0, 3, 0, 0), expand=False)
    for number in range(len(columns)):
        table.add_column("can start now" if number == 0 else f"after step {number}", no_wrap=True)
    if cyclic:
        table.add_column("in a cycle", style="bold red", no_wrap=True)
    cells = [*columns, cyclic] if cyclic else columns
    for row in range(max((len(c) for c in cells), default=0)):
        line = []
        for column in cells:
            if row >= len(column):
                line.append(Text(""))
                continue
            agent = column[row]
            text = Text(agent, style="bold reverse" if agent == highlight else "bold")
            waits = [d for d in dependencies[agent] if d in dependencies]
            if waits:
                text.append("\n  ← " + ", ".join(waits), style="dim")
            line.append(text)
        table.add_row(*line)
    return table


class DependencyGraph(Static):
    """Shows which agents can start now and which wait for others."""

    DEFAULT_CSS = """
    DependencyGraph {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, dependencies: Mapping[str, Sequence[str]], highlight: str | None = None) -> None:
        """Draw the graph for ``{agent: [dependencies]}``."""
        self.update(render_graph(dependencies, highlight) if dependencies else Text("no agents", style="dim"))
