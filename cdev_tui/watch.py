"""File watching: debounced change sets from watchfiles, filtered to what can change an agent's state."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

# Git internals that change constantly without changing anything we show, and our own store.
_IGNORED_PARTS = frozenset({"objects", "__pycache__", "node_modules", ".venv", "logs", "cdev", ".mypy_cache"})
_IGNORED_SUFFIXES = (".lock", ".pyc", ".swp", ".tmp", "~", "-journal", "-wal", "-shm")


def interesting(path: Path | str, common_dir: Path | None = None) -> bool:
    """Whether a changed path can matter to the workspace model (string work only: a checkout in many
    worktrees sends this thousands of paths on the UI thread)."""
    raw = str(path)
    name = raw.rpartition(os.sep)[2]
    if name.endswith(_IGNORED_SUFFIXES) or name.startswith(".#"):
        return False
    if common_dir is not None:
        prefix = str(common_dir)
        if raw == prefix:
            return True
        if raw.startswith(prefix + os.sep):
            return raw[len(prefix) + 1 :].partition(os.sep)[0] not in _IGNORED_PARTS
    parts = raw.split(os.sep)
    if ".git" in parts:
        return False
    return not any(part in _IGNORED_PARTS for part in parts[-6:])


async def watch_changes(
    roots: Sequence[Path],
    *,
    debounce_ms: int = 300,
    common_dir: Path | None = None,
    stop_event: object | None = None,
) -> AsyncIterator[set[Path]]:
    """Yield sets of changed paths under ``roots``, gathered for ``debounce_ms``; no polling."""
    from watchfiles import awatch  # lazy: only the watcher worker needs it

    existing = [str(p) for p in roots if p.exists()]
    if not existing:
        return
    async for changes in awatch(
        *existing,
        debounce=max(debounce_ms, 1),
        step=50,
        stop_event=stop_event,  # type: ignore[arg-type]
        recursive=True,
        watch_filter=lambda _change, raw: interesting(raw, common_dir),
    ):
        yield {Path(raw) for _change, raw in changes}
