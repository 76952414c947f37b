"""Progress of long jobs with an estimate of the time left, for the app and the command line.

Textual-free. A job reports ``(done, total)`` through a plain callback; :class:`ProgressTracker` turns those
reports into :class:`JobProgress` values whose ETA comes from :class:`EtaEstimator`; :func:`job_reporter`
(through :func:`throttled`) hands them to a worker's messages about ten times a second; :func:`cli_progress`
draws a rich progress bar on stderr, only when stderr is a terminal.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

Clock = Callable[[], float]


@dataclass(frozen=True)
class JobProgress:
    """How far one job is: ``done`` of ``total`` (None: not known yet) ``unit``, read at ``at``.

    ``started`` and ``at`` are readings of the same monotonic clock; ``eta`` is the seconds left as estimated
    at ``at`` (None: no estimate yet).
    """

    job: str
    done: int
    total: int | None = None
    unit: str = ""
    started: float = 0.0
    eta: float | None = None
    at: float = 0.0
    detail: str = ""
    """What the job is on now (an agent, a phase), or ""."""

    @classmethod
    def begin(
        cls, job: str, total: int | None = None, unit: str = "", *, clock: Clock = time.monotonic
    ) -> JobProgress:
        """A job starting now, nothing done yet."""
        now = clock()
        return cls(job, 0, total, unit, now, None, now)

    @property
    def elapsed(self) -> float:
        """Seconds from the start to this reading."""
        return max(0.0, self.at - self.started)

    @property
    def finished(self) -> bool:
        """Whether everything planned is done."""
        return self.total is not None and self.done >= self.total

    def eta_at(self, now: float) -> float | None:
        """The estimate counted down to ``now`` (never below zero)."""
        if self.eta is None:
            return None
        return max(0.0, self.eta - max(0.0, now - self.at))

    def counts(self) -> str:
        """``12/40 files``, ``12 files`` while the total is unknown, or sizes for a ``bytes`` unit."""
        if self.unit == "bytes":
            done = _size(self.done)
            return done if self.total is None else f"{done}/{_size(self.total)}"
        unit = f" {self.unit}" if self.unit else ""
        if self.total is None:
            return f"{self.done}{unit}" if self.done else ""
        return f"{self.done}/{self.total}{unit}"

    def timing(self, now: float | None = None) -> str:
        """``0:03 elapsed · ETA 0:07`` (``ETA --:--`` without an estimate), counted to ``now``."""
        now = self.at if now is None else now
        elapsed = max(0.0, now - self.started)
        return f"{duration(elapsed)} elapsed · ETA {duration(self.eta_at(now))}"


def duration(seconds: float | None) -> str:
    """``0:07``, ``12:03``, ``1:02:03``; ``--:--`` for None."""
    if seconds is None:
        return "--:--"
    minutes, secs = divmod(round(max(0.0, seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _size(count: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


class EtaEstimator:
    """Seconds left, from the rate over the recent past.

    The rate is measured over the last ``window`` seconds (always from a reading at or before the window's
    start, so at least two readings), so a job that speeds up or slows down is followed within a window.
    There is no estimate before two steps (increases of ``done``) were seen, nor without a total, nor while
    nothing moves; it is never negative, and 0 once ``done`` reaches the total. A ``done`` lower than the
    one before starts the measurement again.
    """

    def __init__(self, window: float = 20.0) -> None:
        self.window = window
        self._readings: deque[tuple[float, int]] = deque()
        self._steps = 0

    def reset(self) -> None:
        """Forget every reading."""
        self._readings.clear()
        self._steps = 0

    def add(self, now: float, done: int, total: int | None) -> float | None:
        """Take the reading ``done`` of ``total`` at ``now``; returns the seconds left, or None."""
        readings = self._readings
        if readings and done < readings[-1][1]:
            self.reset()
        if readings and done > readings[-1][1]:
            self._steps += 1
        readings.append((now, done))
        while len(readings) > 2 and readings[1][0] <= now - self.window:
            readings.popleft()
        if total is None:
            return None
        if done >= total:
            return 0.0
        if self._steps < 2:
            return None
        first_at, first_done = readings[0]
        span = now - first_at
        if span <= 0 or done <= first_done:
            return None
        return max(0.0, (total - done) * span / (done - first_done))


class ProgressTracker:
    """Turns a job's ``(done, total)`` reports into :class:`JobProgress` values with an ETA.

    It starts at ``done = 0`` when made; a report without a total keeps the last one given.
    """

    def __init__(
        self,
        job: str,
        total: int | None = None,
        *,
        unit: str = "",
        clock: Clock = time.monotonic,
        window: float = 20.0,
    ) -> None:
        self.clock = clock
        self._estimator = EtaEstimator(window)
        started = clock()
        self._estimator.add(started, 0, total)
        self.latest = JobProgress(job, 0, total, unit, started, None, started)
        self._lock = threading.Lock()

    def update(self, done: int, total: int | None = None, detail: str | None = None) -> JobProgress:
        """Record a report (from any thread) and return the job's progress now."""
        with self._lock:
            last = self.latest
            total = last.total if total is None else total
            now = self.clock()
            eta = self._estimator.add(now, done, total)
            self.latest = JobProgress(
                last.job,
                done,
                total,
                last.unit,
                last.started,
                eta,
                now,
                last.detail if detail is None else detail,
            )
            return self.latest


def throttled(
    post: Callable[[int, Any], None], interval: float = 0.1, *, clock: Clock = time.monotonic
) -> Callable[[int, Any], None]:
    """``post(done, total)`` at most every ``interval`` seconds, and always for the first and the last call
    (``done == total``)."""
    last: list[float | None] = [None]

    def progress(done: int, total: Any) -> None:
        now = clock()
        if last[0] is None or now - last[0] >= interval or done == total:
            last[0] = now
            post(done, total)

    return progress


def job_reporter(
    job: str,
    post: Callable[[JobProgress], None],
    *,
    total: int | None = None,
    unit: str = "",
    interval: float = 0.1,
    clock: Clock = time.monotonic,
) -> Callable[..., None]:
    """A ``progress(done, total=None, detail=None)`` callback for a worker: every report goes through a
    :class:`ProgressTracker`, and ``post`` gets its :class:`JobProgress` at most every ``interval`` seconds
    (the first and the last, ``done == total``, always), so the UI gets about ten messages a second."""
    tracker = ProgressTracker(job, total, unit=unit, clock=clock)
    send = throttled(lambda _done, _total: post(tracker.latest), interval, clock=clock)

    def progress(done: int, total: int | None = None, detail: str | None = None) -> None:
        value = tracker.update(done, total, detail)
        send(value.done, value.total)

    return progress


class CliProgress:
    """The callback :func:`cli_progress` gives: ``bar(done, total=None, detail=None)``.

    ``active`` says whether a bar is drawn (stderr is a terminal); when it is not, calls do nothing.
    """

    def __init__(self, tracker: ProgressTracker, bar: Any = None, task: Any = None) -> None:
        self.tracker = tracker
        self._bar = bar
        self._task = task

    @property
    def active(self) -> bool:
        """Whether a progress bar is on the terminal."""
        return self._bar is not None

    def __call__(self, done: int, total: int | None = None, detail: str | None = None) -> None:
        if self._bar is None:
            return
        value = self.tracker.update(done, total, detail)
        self._bar.update(self._task, completed=done, total=value.total, job=value)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False


@contextmanager
def cli_progress(
    job: str, total: int | None = None, *, unit: str = "", stream: IO[str] | None = None
) -> Iterator[CliProgress]:
    """A progress bar for ``job`` on ``stream`` (default stderr) while the block runs, when it is a terminal.

    Yields a :class:`CliProgress` to call with ``(done, total)``. The bar shows the job, done of total, the
    time elapsed and the ETA of :class:`EtaEstimator`; lines written to stderr meanwhile appear above it.
    When ``stream`` is not a terminal (a pipe, a file, a test) nothing is drawn and the calls do nothing, so
    piped output stays exactly as it was.
    """
    stream = sys.stderr if stream is None else stream
    tracker = ProgressTracker(job, total, unit=unit)
    if not _is_terminal(stream):
        yield CliProgress(tracker)
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    columns = (
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description}"),
        BarColumn(bar_width=30),
        _job_column(tracker.clock),
    )
    console = Console(file=stream)
    with Progress(*columns, console=console, redirect_stdout=False, redirect_stderr=True) as bar:
        task = bar.add_task(job, total=total, job=tracker.latest)
        yield CliProgress(tracker, bar, task)


def _job_column(clock: Clock) -> Any:
    """A rich column with done of total, elapsed and ETA (counted down between reports) and the detail."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class JobColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            value: JobProgress = task.fields["job"]
            text = Text()
            counts = value.counts()
            if counts:
                text.append(counts + "  ")
            text.append(value.timing(value.at if task.finished else clock()), style="cyan")
            if value.detail:
                text.append(f"  {value.detail}", style="dim")
            return text

    return JobColumn()
