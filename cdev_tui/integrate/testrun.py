"""Running the test command after a merge: streamed output, a timeout and cancel that kill the whole group."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TAIL_LINES = 40
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class CommandRun:
    """The outcome of one test command run."""

    passed: bool
    exit_code: int | None
    timed_out: bool
    cancelled: bool
    tail: tuple[str, ...]
    seconds: float


def _test_env() -> dict[str, str]:
    # A git hook environment would point the tests' own git calls at the wrong repository.
    drop = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop the command and anything it started (they share its new session's process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5.0)
    # Children that outlived the shell (e.g. a background ``sleep``) still belong to its process group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def run_test_command(
    command: str,
    cwd: Path,
    *,
    timeout: float,
    on_line: Callable[[str], None] | None = None,
    cancel: Cancel | None = None,
) -> CommandRun:
    """Run ``command`` in a shell in ``cwd``, streaming its output lines; killed at ``timeout`` seconds.

    ``on_line`` is called from the calling thread. A timeout or a cancel kills the whole process group and
    counts as a failure.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        shell=True,
        cwd=cwd,
        env=_test_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        with contextlib.suppress(ValueError, OSError):
            for raw in iter(lambda: proc.stdout.readline(65536), b""):
                lines.put(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        lines.put(None)

    tail: deque[str] = deque(maxlen=TAIL_LINES)

    def deliver(line: str) -> None:
        tail.append(line)
        if on_line is not None:
            on_line(line)

    reader = threading.Thread(target=pump, name="cdev-test-output", daemon=True)
    reader.start()
    deadline = started + timeout
    exited_at: float | None = None
    eof = timed_out = cancelled = False
    try:
        while True:
            try:
                item = lines.get(timeout=0.05)
            except queue.Empty:
                pass
            else:
                if item is None:
                    eof = True
                else:
                    deliver(item)
                    continue
            now = time.monotonic()
            if proc.poll() is not None:
                exited_at = exited_at or now
                # A background child may keep the pipe open after the command ended: do not wait for it long.
                if eof or now - exited_at > 1.0:
                    break
            elif now >= deadline:
                timed_out = True
                break
            elif cancel is not None and cancel():
                cancelled = True
                break
    finally:
        _kill_group(proc)
        reader.join(timeout=2.0)
        # A process that left the group may still hold the pipe: closing it would block on the reader's lock.
        if proc.stdout is not None and not reader.is_alive():
            proc.stdout.close()
    while True:
        try:
            item = lines.get_nowait()
        except queue.Empty:
            break
        if item is not None:
            deliver(item)
    if timed_out:
        deliver(f"[cdev-tui: killed after the {timeout:g} s test timeout]")
    elif cancelled:
        deliver("[cdev-tui: cancelled]")
    code = None if timed_out or cancelled else proc.returncode
    return CommandRun(
        passed=code == 0,
        exit_code=code,
        timed_out=timed_out,
        cancelled=cancelled,
        tail=tuple(tail),
        seconds=time.monotonic() - started,
    )
