"""One cache for answers keyed by immutable git object ids (commits, trees, blobs), kept in the store.

A commit, a tree or a blob never changes, so whatever was worked out from one stays true: the files two
commits differ in, the result of merging two trees, the index of a repository at one tree. Workspace
reading, conflict prediction and planning ask this cache before they run git, each under an operation
name; hits and misses are counted per operation and added to the store's totals, which the Metrics pane
and ``make bench`` show as redundant operations avoided.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdev_tui.store import Store

MEMORY_LIMIT = 50_000
"""Entries kept in memory before the in-process layer starts over (the store keeps everything)."""


class ObjectCache:
    """Values by ``(kind, key)``: in memory for this process, and in the store when there is one."""

    def __init__(self, store: Store | None = None) -> None:
        self._store = store
        self._memory: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._unflushed: dict[str, list[int]] = {}
        self.totals: dict[str, list[int]] = {}
        """Hits and misses per operation in this process."""

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        """The values known for ``keys``; each key asked counts as a hit or a miss of ``kind``."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        with self._lock:
            for key in wanted:
                if (kind, key) in self._memory:
                    found[key] = self._memory[(kind, key)]
        missing = [key for key in wanted if key not in found]
        if missing and self._store is not None:
            for key, text in self._store.cache_get(kind, missing).items():
                try:
                    found[key] = json.loads(text)
                except ValueError:  # a damaged entry is simply worked out again
                    continue
            with self._lock:
                self._remember({(kind, k): found[k] for k in missing if k in found})
        self.count(kind, hits=len(found), misses=len(wanted) - len(found))
        return found

    def get(self, kind: str, key: str) -> Any | None:
        """The value for one key, or None (counted like :meth:`get_many`)."""
        return self.get_many(kind, [key]).get(key)

    def put_many(self, kind: str, values: Mapping[str, Any]) -> None:
        """Keep ``values`` (JSON-able) under their keys, in memory now and in the store in the background."""
        if not values:
            return
        with self._lock:
            self._remember({(kind, key): value for key, value in values.items()})
        if self._store is not None:
            self._store.cache_put(kind, {key: json.dumps(value) for key, value in values.items()})

    def put(self, kind: str, key: str, value: Any) -> None:
        """Keep one value."""
        self.put_many(kind, {key: value})

    def answer(self, kind: str, key: str, work: Callable[[], Any]) -> Any:
        """The cached value for ``key``, else ``work()``, kept for next time."""
        found = self.get_many(kind, [key])
        if key in found:
            return found[key]
        value = work()
        self.put(kind, key, value)
        return value

    def count(self, op: str, *, hits: int = 0, misses: int = 0) -> None:
        """Count hits and misses of an operation (also for caches of their own, like the scanner's)."""
        if not hits and not misses:
            return
        with self._lock:
            for table in (self._unflushed, self.totals):
                entry = table.setdefault(op, [0, 0])
                entry[0] += hits
                entry[1] += misses

    def flush(self) -> None:
        """Add the counts gathered since the last flush to the store's totals (in the background)."""
        with self._lock:
            counts = {op: (hits, misses) for op, (hits, misses) in self._unflushed.items()}
            self._unflushed.clear()
        if counts and self._store is not None:
            self._store.record_cache_stats(counts)

    def _remember(self, entries: Mapping[tuple[str, str], Any]) -> None:
        if len(self._memory) + len(entries) > MEMORY_LIMIT:
            self._memory.clear()
        self._memory.update(entries)


def avoided_share(counts: Mapping[str, tuple[int, int] | list[int]]) -> float:
    """The share of lookups answered from the cache (0 when nothing was asked)."""
    hits = sum(c[0] for c in counts.values())
    total = hits + sum(c[1] for c in counts.values())
    return hits / total if total else 0.0
