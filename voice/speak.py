"""Spoken answers through espeak-ng: one at a time, non-blocking, interruptible, and never a secret.

Every text goes through the secret scanner's masking (:func:`cdev_tui.security.line_masked`) before it is
spoken, and a masked value is said as "hidden secret" rather than spelled out. The text reaches espeak-ng on
its standard input, not its command line, so it does not show in the process list either.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Sequence

_MAX_CHARS = 400
_MASKED = re.compile(r"\S*\*{4,}\S*")


def speakable(text: str) -> str:
    """``text`` with every secret masked and each mask replaced by the words "hidden secret"."""
    from cdev_tui.security import text_masked

    lines = text_masked(text).splitlines()
    spoken = " ".join(_MASKED.sub("hidden secret", line) for line in lines)
    spoken = " ".join(spoken.split())
    return spoken[:_MAX_CHARS]


class Speaker:
    """Says short sentences aloud with espeak-ng; a new sentence interrupts the one being spoken."""

    def __init__(
        self,
        muted: bool = False,
        voice: str | None = None,
        rate: int | None = None,
        program: str = "espeak-ng",
    ) -> None:
        self.muted = muted
        self.voice = voice
        self.rate = rate
        self.program = program
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.last_spoken = ""
        """The last text handed to espeak-ng (after masking), for the UI and tests."""

    @property
    def problem(self) -> str:
        """Why nothing can be spoken ("" when espeak-ng is there)."""
        if shutil.which(self.program) is None:
            return f"{self.program} not found: spoken answers are off (install espeak-ng)"
        return ""

    @property
    def speaking(self) -> bool:
        """Whether a sentence is being spoken now."""
        with self._lock:
            return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        """The espeak-ng command line (text comes on standard input)."""
        args = [self.program, "--stdin"]
        if self.voice:
            args += ["-v", self.voice]
        if self.rate:
            args += ["-s", str(self.rate)]
        return args

    def say(self, text: str, extra_args: Sequence[str] = ()) -> bool:
        """Start saying ``text`` (masked) and return at once; False when muted, empty or espeak-ng is missing."""
        spoken = speakable(text)
        if self.muted or not spoken or self.problem:
            return False
        with self._lock:
            self._stop_locked()
            try:
                process = subprocess.Popen(
                    [*self.command(), *extra_args],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                assert process.stdin is not None
                process.stdin.write(spoken.encode())
                process.stdin.close()
            except OSError:
                return False
            self._process = process
            self.last_spoken = spoken
        return True

    def stop(self) -> None:
        """Stop speaking now."""
        with self._lock:
            self._stop_locked()

    def set_muted(self, muted: bool) -> None:
        """Mute (which also stops the current sentence) or unmute."""
        self.muted = muted
        if muted:
            self.stop()

    def toggle_mute(self) -> bool:
        """Flip muting; returns the new state."""
        self.set_muted(not self.muted)
        return self.muted

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the current sentence is over; False on timeout."""
        with self._lock:
            process = self._process
        if process is None:
            return True
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def _stop_locked(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(1.0)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
