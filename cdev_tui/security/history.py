"""Scans of what git holds rather than what is on disk: every reachable commit (``--history``), the lines a
range adds (``--diff A..B``), the lines staged for the next commit (``--staged``).

History reads each distinct blob once (and not at all when the scan cache knows it), in the order commits
were made, so a secret is reported once per file, at the commit that first added it, with that commit's
author date. Diff and staged scans report only secrets on added lines.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cdev_tui.cext.diff import line_opcodes
from cdev_tui.errors import CdevError
from cdev_tui.gitops import git
from cdev_tui.security.baseline import Suppressions
from cdev_tui.security.cache import CachedFinding, ScanCache, expand_cached, to_cached
from cdev_tui.security.engine import scan_bytes
from cdev_tui.security.hygiene import DEFAULT_SIZE_LIMIT
from cdev_tui.security.model import Finding, ScanReport
from cdev_tui.security.ruleset import DEFAULT_RULESET, RuleSet
from cdev_tui.security.scan import is_binary
from cdev_tui.security.walk import run_git

_NO_BLOB = "0" * 40
_SKIPPED_MODES = ("160000", "120000")  # submodules and symlinks hold no content of their own
_PROGRESS_EVERY = 64
_CHUNK = 512  # changes whose blobs are held in memory at once


@dataclass(frozen=True)
class Change:
    """A file's new content at a commit (or in the index), and what it replaced."""

    commit: str
    author_date: str
    path: str
    blob: str
    old_blob: str | None = None  # set for diff scans: only the lines added since count


def _run(repo: Path, *args: str) -> bytes:
    result = run_git(repo, *args)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise CdevError(f"git {args[0]} failed in {repo}: {message[0] if message else result.returncode}")
    return result.stdout


def _parse_raw(tokens: Iterable[str], commit: str, date: str) -> Iterator[Change]:
    """Changes of ``--raw -z`` entries (``:modes blobs status``, then the path)."""
    iterator = iter(tokens)
    for token in iterator:
        token = token.lstrip("\n")
        if not token.startswith(":"):
            continue
        path = next(iterator, "")
        _, new_mode, old, new, status = token[1:].split(" ")
        if status.startswith("D") or new == _NO_BLOB or new_mode in _SKIPPED_MODES:
            continue
        yield Change(commit, date, path, new, None if old == _NO_BLOB else old)


def history_changes(repo: Path, revs: Sequence[str] = ("--all",)) -> list[Change]:
    """Every blob added to a path by a reachable commit, oldest commit first, each (blob, path) once."""
    out = _run(
        repo,
        "log",
        *revs,
        "--reverse",
        "--date-order",
        "--format=%x01%H %aI",
        "-z",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--diff-merges=first-parent",
    ).decode("utf-8", "surrogateescape")
    changes: list[Change] = []
    seen: set[tuple[str, str]] = set()
    for chunk in out.split("\x01")[1:]:
        header, _, rest = chunk.partition("\0")
        commit, _, date = header.partition(" ")
        for change in _parse_raw(rest.split("\0"), commit, date):
            if (change.blob, change.path) not in seen:
                seen.add((change.blob, change.path))
                # Whole blobs, not added lines: a secret carried over was reported where it was added.
                changes.append(replace(change, old_blob=None))
    return changes


def _resolve(repo: Path, rev: str) -> tuple[str, str]:
    """``(commit id, author date)`` of ``rev``."""
    out = _run(repo, "log", "-1", "--format=%H %aI", rev, "--").decode().strip()
    commit, _, date = out.partition(" ")
    return commit, date


def diff_changes(repo: Path, spec: str) -> list[Change]:
    """Files a range changes: ``A..B`` (B against A), ``A...B`` (B against their merge base) or ``A``
    (the work tree's commit against A is not meant: ``A`` alone is ``A..HEAD``)."""
    if "..." in spec:
        left, right = spec.split("...", 1)
        base = _run(repo, "merge-base", left or "HEAD", right or "HEAD").decode().strip()
    elif ".." in spec:
        base, right = spec.split("..", 1)
    else:
        base, right = spec, "HEAD"
    base, right = base or "HEAD", right or "HEAD"
    for rev in (base, right):
        if git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", ok_codes=(0, 1)).code != 0:
            raise CdevError(f"--diff {spec}: {rev!r} is not a commit in {repo}")
    commit, date = _resolve(repo, right)
    out = _run(repo, "diff", "--raw", "-z", "--no-abbrev", "--no-renames", base, right, "--")
    return list(_parse_raw(out.decode("utf-8", "surrogateescape").split("\0"), commit, date))


def staged_changes(repo: Path) -> list[Change]:
    """Files staged for the next commit, against HEAD (everything staged in a repository without commits)."""
    has_head = git(repo, "rev-parse", "--verify", "--quiet", "HEAD", ok_codes=(0, 1)).code == 0
    args = ["diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames"]
    if not has_head:
        args.append(_run(repo, "hash-object", "-t", "tree", os.devnull).decode().strip())  # the empty tree
    out = _run(repo, *args, "--")
    return list(_parse_raw(out.decode("utf-8", "surrogateescape").split("\0"), "", ""))


def read_blobs(repo: Path, blobs: Sequence[str], size_limit: int) -> Iterator[tuple[str, bytes | None, int]]:
    """``(blob, content or None when larger than size_limit, size)`` for each blob, through one
    ``git cat-file --batch`` process fed from a thread (so neither pipe can fill up and stall)."""
    if not blobs:
        return
    process = subprocess.Popen(
        ["git", "cat-file", "--batch"], cwd=repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None

    def feed() -> None:
        try:
            for blob in blobs:
                process.stdin.write(blob.encode() + b"\n")  # type: ignore[union-attr]
            process.stdin.close()  # type: ignore[union-attr]
        except BrokenPipeError:
            pass

    feeder = threading.Thread(target=feed, name="cdev-cat-file", daemon=True)
    feeder.start()
    try:
        for _ in blobs:
            header = process.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                continue
            size = int(header[2])
            if size > size_limit:
                _skip_bytes(process.stdout, size + 1)
                yield header[0].decode(), None, size
                continue
            data = process.stdout.read(size)
            process.stdout.read(1)
            yield header[0].decode(), data, size
    finally:
        process.stdout.close()
        process.kill()
        process.wait()
        feeder.join(timeout=5)


def _skip_bytes(stream, count: int) -> None:  # type: ignore[no-untyped-def]
    while count > 0:
        chunk = stream.read(min(count, 1 << 20))
        if not chunk:
            return
        count -= len(chunk)


def _added_lines(old: bytes, new: bytes) -> set[int]:
    """1-based numbers of the lines of ``new`` that are not carried over from ``old``."""
    old_lines, new_lines = old.split(b"\n"), new.split(b"\n")
    added: set[int] = set()
    for tag, _, _, j1, j2 in line_opcodes(old_lines, new_lines):
        if tag in ("insert", "replace"):
            added.update(range(j1 + 1, j2 + 1))
    return added


def scan_changes(
    repo: Path,
    changes: Sequence[Change],
    label: str,
    *,
    ruleset: RuleSet = DEFAULT_RULESET,
    cache: ScanCache | None = None,
    suppressions: Suppressions | None = None,
    size_limit: int = DEFAULT_SIZE_LIMIT,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScanReport:
    """Scan the new content of ``changes``; for changes with an ``old_blob``, report only added lines.

    A secret is reported once per path (by fingerprint), at its first change in the given order. Blobs are
    read a chunk of changes at a time, so memory stays bounded on long histories.
    """
    started = time.perf_counter()
    total = len(changes)
    skipped: list[tuple[str, str]] = []
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    files = size_total = from_cache = done = 0
    cancelled = False
    if progress:
        progress(0, total)
    for first in range(0, total, _CHUNK):
        chunk = changes[first : first + _CHUNK]
        keys = [(c.blob, ruleset.context_key(c.path, c.commit)) for c in chunk]
        cached = cache.findings(ruleset.version, keys) if cache else {}
        wanted = [c.blob for c, key in zip(chunk, keys, strict=True) if key not in cached or c.old_blob]
        wanted += [c.old_blob for c in chunk if c.old_blob]
        contents: dict[str, bytes | None] = {}
        for blob, data, _size in read_blobs(repo, list(dict.fromkeys(wanted)), size_limit):
            contents[blob] = data
        fresh: list[tuple[str, str, list[CachedFinding]]] = []
        for change, key in zip(chunk, keys, strict=True):
            if cancel and cancel():
                cancelled = True
                break
            done += 1
            if progress and done % _PROGRESS_EVERY == 0:
                progress(done, total)
            where = f"{change.commit[:12]}:{change.path}" if change.commit else f":{change.path}"
            hit = cached.get(key)
            data = contents.get(change.blob)
            if hit is None:
                if data is None:
                    if change.blob in contents:
                        skipped.append((where, f"larger than {size_limit} bytes"))
                    continue
                if is_binary(data):
                    skipped.append((where, "binary"))
                    hit = []
                else:
                    hit = [to_cached(f) for f in scan_bytes(data, change.path, label, ruleset, change.commit)]
                    files += 1
                    size_total += len(data)
                cached[key] = hit
                fresh.append((*key, hit))
            else:
                from_cache += 1
                files += 1
            found = expand_cached(hit, ruleset, change.path, label)
            if change.old_blob is not None and found:
                old = contents.get(change.old_blob)
                if old is not None and data is not None:
                    added = _added_lines(old, data)
                    found = [f for f in found if f.line in added]
            for finding in found:
                if (finding.fingerprint, finding.path) not in seen:
                    seen.add((finding.fingerprint, finding.path))
                    findings.append(replace(finding, commit=change.commit, author_date=change.author_date))
        if cache is not None and fresh:
            cache.remember_blobs(ruleset.version, fresh)
        if cancelled:
            break
    if progress and not cancelled:
        progress(done, total)
    reported, accepted = (suppressions or Suppressions()).split(findings)
    return ScanReport(
        roots=[label],
        files_scanned=files,
        bytes_scanned=size_total,
        findings=reported,
        hygiene=[],
        skipped=skipped,
        seconds=time.perf_counter() - started,
        cancelled=cancelled,
        root_paths={label: repo.as_posix()},
        accepted=accepted,
        files_from_cache=from_cache,
        rules=ruleset.origin,
    )
