"""The scan cache in the store: each file's git blob id by its stat signature, and each blob's findings by
rule-set version. A rescan of unchanged files reads nothing; worktrees of one repository scan each distinct
blob once. Cached findings hold what :class:`~cdev_tui.security.model.Finding` holds: never a raw secret.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdev_tui.security.model import Finding
from cdev_tui.security.ruleset import RuleSet
from cdev_tui.store import Store

_BATCH = 500
CachedFinding = tuple[str, int, int, str, str, str]  # rule id, line, column, fingerprint, masked, sha1


def blob_id(data: bytes) -> str:
    """The id git gives a file with this content (``git hash-object``)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileEntry:
    """What the cache knows of one file: its stat signature and content id."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    blob: str
    binary: bool

    def matches(self, st: os.stat_result) -> bool:
        return (self.size, self.mtime_ns, self.ctime_ns, self.inode) == (
            st.st_size,
            st.st_mtime_ns,
            st.st_ctime_ns,
            st.st_ino,
        )


def expand_cached(cached: list[CachedFinding], ruleset: RuleSet, path: str, label: str) -> list[Finding]:
    """One file's findings from its blob's cached findings."""
    found: list[Finding] = []
    for rule_id, line, column, fp, masked, secret_hash in cached:
        rule = ruleset.by_id.get(rule_id)
        if rule is not None:
            found.append(
                Finding(
                    rule_id,
                    rule.description,
                    rule.severity,
                    path,
                    line,
                    column,
                    fp,
                    masked,
                    label,
                    secret_hash,
                )
            )
    return found


def to_cached(finding: Finding) -> CachedFinding:
    return (
        finding.rule_id,
        finding.line,
        finding.column,
        finding.fingerprint,
        finding.masked,
        finding.secret_hash,
    )


def _decode(findings: str) -> list[CachedFinding]:
    return [] if findings == "[]" else [tuple(f) for f in json.loads(findings)]  # type: ignore[misc]


class ScanCache:
    """Reads on short-lived connections of their own (scans may run in several threads at once), writes
    through the store's writer thread."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.store.path, timeout=10)
        try:
            yield conn
        finally:
            conn.close()

    def known_files(
        self, root: Path, ruleset: str
    ) -> dict[str, tuple[FileEntry, list[CachedFinding] | None]]:
        """Every file of ``root`` the cache has seen, by relative path, each with its blob's findings under
        ``ruleset`` when they are cached for a path-independent context (one query for a whole rescan)."""
        with self._reader() as conn:
            rows = conn.execute(
                "SELECT f.path, f.size, f.mtime_ns, f.ctime_ns, f.inode, f.blob, f.binary, b.findings "
                "FROM scan_files AS f LEFT JOIN scan_blobs AS b "
                "ON b.ruleset = ? AND b.blob = f.blob AND b.context = '' WHERE f.root = ?",
                (ruleset, str(root)),
            ).fetchall()
        return {
            path: (FileEntry(*rest[:5], bool(rest[5])), None if rest[6] is None else _decode(rest[6]))
            for path, *rest in rows
        }

    def findings(
        self, ruleset: str, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[CachedFinding]]:
        """Cached findings of the ``(blob, context)`` keys scanned with rule set ``ruleset``."""
        wanted = list(dict.fromkeys(keys))
        found: dict[tuple[str, str], list[CachedFinding]] = {}
        with self._reader() as conn:
            self._lookup(conn, ruleset, wanted, found)
        return found

    @staticmethod
    def _lookup(
        conn: sqlite3.Connection,
        ruleset: str,
        wanted: list[tuple[str, str]],
        found: dict[tuple[str, str], list[CachedFinding]],
    ) -> None:
        for i in range(0, len(wanted), _BATCH):
            batch = wanted[i : i + _BATCH]
            blobs = sorted({blob for blob, _ in batch})
            marks = ",".join("?" * len(blobs))
            rows = conn.execute(
                f"SELECT blob, context, findings FROM scan_blobs WHERE ruleset = ? AND blob IN ({marks})",
                (ruleset, *blobs),
            )
            wanted_here = set(batch)
            for blob, context, findings in rows:
                if (blob, context) in wanted_here:
                    found[(blob, context)] = _decode(findings)

    def remember(
        self,
        ruleset: str,
        root: Path,
        files: Sequence[tuple[str, FileEntry]],
        blobs: Sequence[tuple[str, str, list[CachedFinding]]],
        gone: Sequence[str] = (),
    ) -> Future[Any]:
        """Record files' signatures, blobs' findings, and forget files no longer there; one transaction."""
        root_key = str(root)
        file_rows = [
            (root_key, path, e.size, e.mtime_ns, e.ctime_ns, e.inode, e.blob, int(e.binary))
            for path, e in files
        ]
        blob_rows = [(ruleset, blob, context, json.dumps(found)) for blob, context, found in blobs]
        gone_rows = [(root_key, path) for path in gone]

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT OR REPLACE INTO scan_files VALUES (?, ?, ?, ?, ?, ?, ?, ?)", file_rows)
            conn.executemany("INSERT OR REPLACE INTO scan_blobs VALUES (?, ?, ?, ?)", blob_rows)
            conn.executemany("DELETE FROM scan_files WHERE root = ? AND path = ?", gone_rows)

        return self.store.submit(work)

    def remember_blobs(
        self, ruleset: str, blobs: Sequence[tuple[str, str, list[CachedFinding]]]
    ) -> Future[Any]:
        """Record blobs' findings (history and diff scans, which have no files on disk)."""
        rows = [(ruleset, blob, context, json.dumps(found)) for blob, context, found in blobs]
        return self.store.submit(
            lambda conn: conn.executemany("INSERT OR REPLACE INTO scan_blobs VALUES (?, ?, ?, ?)", rows)
        )

    def forget_other_rulesets(self, ruleset: str) -> Future[Any]:
        """Drop findings cached under other rule-set versions: rules or configuration changed since."""
        return self.store.submit(
            lambda conn: conn.execute("DELETE FROM scan_blobs WHERE ruleset != ?", (ruleset,))
        )
