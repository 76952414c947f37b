"""File watching: debounced change sets from watchfiles, filtered to what can change an agent's state."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

# Git internals that change constantly without changing anything we show, and our own store.
_IGNORED_PARTS = frozenset({"objects", "__pycache__", "node_modules", ".venv", "logs", "cdev", ".mypy_cache"})
_IGNORED_SUFFIXES = (".lock", ".pyc", ".swp", ".tmp", "~", "-journal", "-wal", "-shm")


def interesting(path: Path, common_dir: Path | None = None) -> bool:
    """Whether a changed path can matter to the workspace model."""
    if path.name.endswith(_IGNORED_SUFFIXES) or path.name.startswith(".#"):
        return False
    parts = path.parts
    if common_dir is not None and (path == common_dir or common_dir in path.parents):
        relative = path.relative_to(common_dir).parts
        return not relative or relative[0] not in _IGNORED_PARTS
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
        watch_filter=lambda _change, raw: interesting(Path(raw), common_dir),
    ):
        yield {Path(raw) for _change, raw in changes}
