"""Desktop notifications (``notify-send``, when it is installed), never waited for."""

from __future__ import annotations

import shutil
import subprocess


def notify_desktop(text: str, title: str = "cdev-tui") -> bool:
    """Show ``text`` as a desktop notification; False when ``notify-send`` is not installed."""
    if shutil.which("notify-send") is None:
        return False
    subprocess.Popen(["notify-send", title, text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return True
