"""One line for a long job: its name, a progress bar, done of total, elapsed time and the time left.

It draws :class:`cdev_tui.progress.JobProgress` values that workers post (throttled), counts the ETA down
between them, and is hidden while no job runs. The bar is mounted only while a job runs, so an idle line
costs no timer and no animation.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Label, Static

if TYPE_CHECKING:  # both load with the first job shown, not with the first frame
    from textual.timer import Timer

    from cdev_tui.progress import JobProgress


class JobProgressBar(Widget):
    """``Scanning for secrets ━━━━━━━━━╸━━━━  42%  120/284 files · 0:03 elapsed · ETA 0:04``."""

    DEFAULT_CSS = """
    JobProgressBar {
        height: 1;
        layout: horizontal;
        padding: 0 1;
        & > .job-name { width: auto; margin-right: 1; text-style: bold; }
        & > ProgressBar { width: auto; margin-right: 1; }
        & > .job-status { width: 1fr; height: 1; color: $text-muted; }
    }
    """

    def __init__(self, *, hint: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.hint = hint
        """Shown after the figures while a job runs (how to cancel it, for example)."""
        self.progress: JobProgress | None = None
        """The job on show, or None when idle."""
        self._timer: Timer | None = None
        self.display = False

    def compose(self) -> ComposeResult:
        yield Label("", classes="job-name")
        yield Static("", classes="job-status")

    @property
    def running(self) -> bool:
        """Whether a job is on show."""
        return self.progress is not None

    def start(self, job: str, *, total: int | None = None, unit: str = "") -> None:
        """Show ``job`` as just started (before its worker reports anything)."""
        from cdev_tui.progress import JobProgress

        self.show(JobProgress.begin(job, total, unit))

    def show(self, progress: JobProgress) -> None:
        """Show how far a job is (the line appears if it was hidden)."""
        first = self.progress is None
        self.progress = progress
        if self.is_mounted:  # else drawn when mounted
            self._draw(progress, first)

    def on_mount(self) -> None:
        if self.progress is not None:
            self._draw(self.progress, True)

    def _draw(self, progress: JobProgress, first: bool) -> None:
        from textual.widgets import ProgressBar

        if first:
            self.display = True
            bar = ProgressBar(total=progress.total, show_eta=False)
            bar.progress = progress.done
            self.mount(bar, after=self.query_one(".job-name"))
            self._timer = self.set_interval(1.0, self._tick)
        else:
            for bar in self.query(ProgressBar):
                bar.update(total=progress.total, progress=progress.done)
        self.query_one(".job-name", Label).update(progress.job)
        self._tick()

    def finish(self) -> None:
        """The job ended: hide the line."""
        if self.progress is None:
            return
        self.progress = None
        self.display = False
        if not self.is_mounted:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.query("ProgressBar").remove()

    def status_text(self, now: float | None = None) -> Text:
        """Done of total, elapsed, ETA, what the job is on, and the hint."""
        progress = self.progress
        if progress is None:
            return Text()
        text = Text()
        counts = progress.counts()
        if counts:
            text.append(counts + " · ")
        text.append(progress.timing(time.monotonic() if now is None else now))
        if progress.detail:
            text.append(f" · {progress.detail}")
        if self.hint:
            text.append(f"  ({self.hint})", style="italic")
        return text

    def _tick(self) -> None:
        self.query_one(".job-status", Static).update(self.status_text())
