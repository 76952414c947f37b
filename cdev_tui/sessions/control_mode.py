"""One tmux control-mode client (``tmux -C``): notifications as they happen, commands without a process each."""

from __future__ import annotations

import re
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from cdev_tui.sessions.tmux import MONITOR_SESSION, TmuxError

_PLAIN_ARG = re.compile(r"^[^'\n\r\\]*$")


def control_line(args: Sequence[str]) -> str | None:
    """``args`` (one command) as a line of tmux command syntax; None when an argument cannot be quoted simply
    or it is a list of commands (tmux may answer a list with one block or with one per command)."""
    parts = []
    for arg in args:
        if arg == ";":
            return None
        if _PLAIN_ARG.match(arg):
            parts.append(f"'{arg}'")
        else:
            return None
    return " ".join(parts)


class ControlClient:
    """Attached to our monitor session: every agent window is linked there, so all their output arrives."""

    def __init__(
        self,
        argv: Sequence[str],
        on_output: Callable[[str, bytes], None],
        on_event: Callable[[str], None],
        on_exit: Callable[[], None],
    ) -> None:
        self._argv = [*argv, "-C", "attach-session", "-t", f"={MONITOR_SESSION}", "-f", "ignore-size"]
        self._on_output, self._on_event, self._on_exit = on_output, on_event, on_exit
        self._process: subprocess.Popen[bytes] | None = None
        self._pending: deque[Future[list[str]]] = deque()
        self._lock = threading.Lock()
        self.alive = False

    def start(self) -> None:
        """Attach and start reading; a :class:`TmuxError` when tmux cannot be run."""
        try:
            self._process = subprocess.Popen(
                self._argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                bufsize=0,
            )
        except OSError as exc:
            raise TmuxError(f"tmux: cannot start its control client ({exc.strerror})") from None
        self.alive = True
        threading.Thread(target=self._read, name="tmux-control", daemon=True).start()

    def command(self, args: Sequence[str], timeout: float = 5.0) -> list[str] | None:
        """Run a command through the client; its output lines. None when it cannot go this way."""
        line = control_line(args)
        process = self._process
        if line is None or process is None or not self.alive or process.stdin is None:
            return None
        future: Future[list[str]] = Future()
        with self._lock:
            self._pending.append(future)
            try:
                process.stdin.write(line.encode() + b"\n")
            except OSError:
                self._pending.remove(future)
                return None
        return future.result(timeout)

    def close(self) -> None:
        """Detach (the sessions go on)."""
        self.alive = False
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(2)
            except subprocess.TimeoutExpired:
                process.kill()

    def _read(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        block: list[str] | None = None
        ours = False
        for raw in process.stdout:
            line = raw.rstrip(b"\r\n")
            if block is not None:
                if line.startswith((b"%end ", b"%error ")) and len(line.split()) == 4:
                    self._answer(ours, block, line.startswith(b"%error"))
                    block = None
                else:
                    block.append(line.decode(errors="replace"))
                continue
            if line.startswith(b"%output "):
                pane, _, data = line[8:].partition(b" ")
                self._on_output(pane.decode(), data)
            elif line.startswith(b"%begin "):
                block, ours = [], line.split()[-1] == b"1"
            elif line.startswith(b"%exit"):
                break
            elif line.startswith(b"%"):
                self._on_event(line.split(b" ", 1)[0][1:].decode())
        self.alive = False
        with self._lock:
            while self._pending:
                self._pending.popleft().set_exception(TmuxError("tmux server for agent sessions went away"))
        self._on_exit()

    def _answer(self, ours: bool, lines: list[str], failed: bool) -> None:
        if not ours:
            return
        with self._lock:
            future = self._pending.popleft() if self._pending else None
        if future is None:
            return
        if failed:
            future.set_exception(TmuxError(f"tmux: {lines[-1] if lines else 'command failed'}"))
        else:
            future.set_result(lines)
