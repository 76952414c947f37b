"""The one bounded pool that git and file reading run on, shared by every engine of the process.

Git runs in subprocesses, so a few calls at a time overlap well; the bound (a couple more workers than
cores, at most eight) keeps a refresh storm from starting hundreds of git processes at once. Work is never
submitted from inside the pool, so nothing waits on itself.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def worker_count() -> int:
    """How many workers the pool has on this machine."""
    return min(8, (os.cpu_count() or 2) + 2)


def shared_pool() -> ThreadPoolExecutor:
    """The process's pool, started on first use."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=worker_count(), thread_name_prefix="cdev-git")
        return _pool
