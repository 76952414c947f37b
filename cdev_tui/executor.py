"""The one bounded pool that git and file reading run on, shared by every engine of the process.

Git runs in subprocesses, so a few calls at a time overlap well; the bound (a couple more workers than
cores, at most eight) keeps a refresh storm from starting hundreds of git processes at once. Work is never
submitted from inside the pool, so nothing waits on itself. Background threads and the git processes they
start run at a lower CPU priority than the UI thread, so keys stay quick while every core reads git.
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


BACKGROUND_NICENESS = 10
"""How much less CPU priority background threads (and the processes they start) get on Linux."""


def lower_thread_priority() -> None:
    """Give the calling thread, and every process it starts from now on, a lower CPU priority.

    Linux keeps a niceness per thread, inherited by the processes a thread starts; elsewhere this would
    lower the whole process, so it does nothing there.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
    except OSError:  # not permitted here: run at the normal priority
        return


def worker_count() -> int:
    """How many workers the pool has on this machine."""
    return min(8, (os.cpu_count() or 2) + 2)


def shared_pool() -> ThreadPoolExecutor:
    """The process's pool, started on first use."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=worker_count(), thread_name_prefix="cdev-git", initializer=lower_thread_priority
            )
        return _pool
