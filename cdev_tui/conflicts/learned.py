"""Learned resolutions: every hunk the user writes, offered again when the same conflict comes back.

A resolution is keyed by the hunk's three sections (ours, base, theirs); it also matches the same conflict
met from the other side (ours and theirs swapped). Resolutions imported from git's ``rr-cache`` carry no
base (rerere does not record one) and match on the two sides alone, as rerere itself does. Results that
hold a secret are never stored.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cdev_tui.conflicts.hunks import parse_conflicts

if TYPE_CHECKING:
    from cdev_tui.store import Store

_NO_BASE = "\x01no base"


def _digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()


def hunk_key(ours: str, base: str | None, theirs: str) -> str:
    """The exact key of a conflict: its three sections."""
    return _digest(ours, _NO_BASE if base is None else base, theirs)


def sides_key(ours: str, theirs: str) -> str:
    """The key of a conflict's two sides, in either order (rerere's notion of "the same conflict")."""
    first, second = sorted((ours, theirs))
    return _digest(first, second)


@dataclass(frozen=True)
class Learned:
    """A stored resolution and how it matched."""

    key: str
    result: str
    path: str
    source: str
    """``editor`` (written in the merge editor or by the CLI), ``trial`` (a trial resolution), ``rerere``."""
    created: float
    used: int
    match: str
    """``exact``, ``swapped`` (the same conflict met from the other side) or ``sides`` (rerere, no base)."""


def contains_secret(text: str) -> bool:
    """Whether ``text`` holds something the secret scanner's rules match (name/value pairs included)."""
    from cdev_tui.security import text_masked

    return text_masked(text) != text


class LearnedStore:
    """Learned resolutions in the repository's store (shared by all its worktrees)."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def remember(self, path: str, ours: str, base: str | None, theirs: str, result: str, source: str) -> bool:
        """Store what the user wrote for a hunk; False (nothing stored) when the result holds a secret."""
        if contains_secret(result):
            return False
        row = (hunk_key(ours, base, theirs), sides_key(ours, theirs), result, path, source, self.clock())

        def work(conn) -> None:
            conn.execute(
                "INSERT INTO learned_resolutions (key, sides_key, result, path, source, created) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET result = excluded.result, "
                "path = excluded.path, source = excluded.source, created = excluded.created",
                row,
            )

        self.store.submit(work).result(10)
        return True

    def lookup(self, ours: str, base: str | None, theirs: str) -> Learned | None:
        """The resolution stored for this conflict: exact first, then swapped sides, then rerere's."""
        exact = hunk_key(ours, base, theirs)
        swapped = hunk_key(theirs, base, ours)
        rows = self.store.query(
            "SELECT key, result, path, source, created, used FROM learned_resolutions "
            "WHERE key IN (?, ?) OR (sides_key = ? AND source = 'rerere') ORDER BY created DESC",
            (exact, swapped, sides_key(ours, theirs)),
        )
        for wanted, match in ((exact, "exact"), (swapped, "swapped")):
            for row in rows:
                if row["key"] == wanted:
                    return Learned(match=match, **row)
        for row in rows:
            if row["source"] == "rerere":
                return Learned(match="sides", **row)
        return None

    def record_accepted(self, run: str, path: str, sources: dict[int, str], seconds: float) -> None:
        """Keep where each written hunk's resolution came from (hunk index → source, -1 for a whole file)
        and how long writing took, for the metrics."""
        from cdev_tui.store import OutcomeRow

        now = self.clock()
        rows = [
            OutcomeRow(now, "resolve", run, path, str(index), source) for index, source in sources.items()
        ]
        if rows:
            self.store.record_outcomes(rows)
        self.store.record_timing("resolve.write", seconds, f"{len(rows)} hunks")

    def mark_used(self, key: str) -> None:
        """Count one more use of a learned resolution."""
        now = self.clock()
        self.store.submit(
            lambda conn: conn.execute(
                "UPDATE learned_resolutions SET used = used + 1, last_used = ? WHERE key = ?", (now, key)
            )
        )

    def forget(self, key: str) -> bool:
        """Delete a learned resolution; False when there was none."""
        return bool(
            self.store.submit(
                lambda conn: conn.execute("DELETE FROM learned_resolutions WHERE key = ?", (key,)).rowcount
            ).result(10)
        )

    def count(self) -> int:
        """How many resolutions are stored."""
        return int(self.store.query("SELECT count(*) AS n FROM learned_resolutions")[0]["n"])

    def import_rerere(self, git_common_dir: Path) -> int:
        """Learn every hunk of git's ``rr-cache`` that has a recorded resolution; returns how many."""
        learned = 0
        for ours, theirs, result, path in rerere_hunks(git_common_dir / "rr-cache"):
            if contains_secret(result):
                continue
            key = _digest("rerere", ours, theirs)
            row = (key, sides_key(ours, theirs), result, path, "rerere", self.clock())
            self.store.submit(
                lambda conn, row=row: conn.execute(
                    "INSERT OR IGNORE INTO learned_resolutions (key, sides_key, result, path, source, created) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )
            )
            learned += 1
        self.store.flush()
        return learned


def rerere_hunks(cache: Path) -> Iterator[tuple[str, str, str, str]]:
    """(ours, theirs, result, label) for each hunk of each ``rr-cache`` entry with a postimage.

    A preimage is the conflicted file with bare markers; its postimage the resolved file. The text between
    two hunks is found unchanged in the postimage, which tells where each hunk's resolution starts and ends;
    entries where it cannot be found are skipped.
    """
    if not cache.is_dir():
        return
    for entry in sorted(cache.iterdir()):
        pre, post = entry / "preimage", entry / "postimage"
        if not (pre.is_file() and post.is_file()):
            continue
        try:
            parsed = parse_conflicts(pre.read_text(encoding="utf-8"))
            resolved = post.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        results = _split_by_anchors(parsed.parts, resolved)
        if results is None:
            continue
        for hunk, result in zip(parsed.hunks, results, strict=True):
            yield hunk.ours, hunk.theirs, result, f"rr-cache/{entry.name}"


def _split_by_anchors(parts: tuple[object, ...], resolved: str) -> list[str] | None:
    results: list[str] = []
    position = 0
    pending = False
    for part in parts:
        if isinstance(part, str):
            found = resolved.find(part, position)
            if found < 0 or (not pending and found != position):
                return None
            if pending:
                results.append(resolved[position:found])
            position, pending = found + len(part), False
        else:
            if pending:
                return None  # two hunks with nothing between them cannot be told apart
            pending = True
    if pending:
        results.append(resolved[position:])
    elif position != len(resolved):
        return None
    return results
