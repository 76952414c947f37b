"""Scanning roots: each root's files listed once; binaries, oversized and odd files skipped with a reason;
unchanged content answered from the scan cache; what is left scanned; accepted findings set aside.
"""

from __future__ import annotations

import os
import stat
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cdev_tui.errors import CdevError
from cdev_tui.security.baseline import BASELINE_FILES, Suppressions
from cdev_tui.security.cache import CachedFinding, FileEntry, ScanCache, blob_id, expand_cached, to_cached
from cdev_tui.security.engine import fingerprint, mask_secret, scan_bytes, warm_up
from cdev_tui.security.hygiene import DEFAULT_SIZE_LIMIT, file_issues, large_file_issue
from cdev_tui.security.model import Finding, HygieneIssue, ScanReport
from cdev_tui.security.ruleset import DEFAULT_RULESET, RuleSet
from cdev_tui.security.walk import Listing, list_root

BINARY_SNIFF_BYTES = 8192
_PROGRESS_EVERY = 64
_BATCH = 256
_PARALLEL_MIN_FILES = 256
"""Below this many files a scan stays in one process: starting workers would cost more than it saves."""
_worker_ruleset: RuleSet = DEFAULT_RULESET  # the rules forked scan workers use (set before they start)


def _scan_in_worker(item: tuple[bytes, str, str]) -> list[Finding]:
    data, rel, label = item
    return scan_bytes(data, rel, label, _worker_ruleset)


class _Workers:
    """Scan workers in forked processes, one per core, started on first use (the regexes hold the GIL, so
    threads would not run them side by side)."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.pool = None

    def submit(self, items: list[tuple[bytes, str, str]]) -> Iterator[list[Finding]]:
        """Hand ``items`` to the workers now; the iterator yields their findings in order, waiting as needed."""
        global _worker_ruleset
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            _worker_ruleset = self.ruleset  # the workers are forked after this: they inherit it
            warm_up(self.ruleset, compile_all=False)  # tables built once here, not in every worker
            self.pool = ProcessPoolExecutor(
                os.cpu_count() or 2, mp_context=multiprocessing.get_context("fork")
            )
        return self.pool.map(_scan_in_worker, items, chunksize=8)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


_Admitted = tuple[str, str, str, bytes | None, int, list[CachedFinding] | None]
"""A file to scan: relative path, blob id, context key, content if read, size, cached findings if known."""


def is_binary(data: bytes) -> bool:
    """Whether ``data`` looks binary (a NUL byte near the start), as git decides."""
    return data.find(b"\0", 0, BINARY_SNIFF_BYTES) >= 0


@dataclass
class _Tally:
    """Running totals of one scan."""

    files: int = 0
    bytes: int = 0
    from_cache: int = 0
    findings: list[Finding] = field(default_factory=list)
    hygiene: list[HygieneIssue] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    scanned: dict[tuple[str, str], list[CachedFinding]] = field(default_factory=dict)
    """Findings of the blobs scanned so far, so worktrees sharing content scan it once per scan."""


def _file_rule_findings(ruleset: RuleSet, rel: str, label: str) -> list[Finding]:
    """Findings of rules that flag a file by its path alone (a key store, say)."""
    return [
        Finding(
            rule.id,
            rule.description,
            rule.severity,
            rel,
            1,
            1,
            fingerprint(rule.id, rel),
            mask_secret(rel),
            label,
        )
        for rule in ruleset.file_rules
        if rule.path is not None and rule.path.search(rel)
    ]


class _RootScan:
    """One root's files through the cache and the engine, a batch at a time."""

    def __init__(
        self,
        label: str,
        root: Path,
        ruleset: RuleSet,
        cache: ScanCache | None,
        size_limit: int,
        tally: _Tally,
    ) -> None:
        self.label, self.root, self.ruleset, self.cache = label, root, ruleset, cache
        self.size_limit, self.tally = size_limit, tally
        self.workers: _Workers | None = None
        self.fresh: dict[tuple[str, str], list[Finding]] = {}  # found by workers, for the batch's first path
        self.inflight: set[tuple[str, str]] = set()  # with the workers now
        self.pending: deque[tuple[list[_Admitted], dict, list[tuple[str, str]], Iterator[list[Finding]]]] = (
            deque()
        )
        self.known = cache.known_files(root, ruleset.version) if cache else {}
        self.seen: set[str] = set()
        self.new_files: list[tuple[str, FileEntry]] = []
        self.new_blobs: list[tuple[str, str, list[CachedFinding]]] = []

    def skip(self, rel: str, reason: str) -> None:
        self.tally.skipped.append(((self.root / rel).as_posix(), reason))

    def read(self, rel: str) -> bytes | None:
        try:
            with open(os.path.join(self.root, rel), "rb") as fh:
                return fh.read(self.size_limit + 1)
        except OSError as exc:
            self.skip(rel, f"unreadable: {exc.strerror}")
            return None

    def admit(self, rel: str) -> tuple[str, str, bytes | None, int, list[CachedFinding] | None] | None:
        """``(blob, context, content if read, size, cached findings if known)`` of a file worth scanning, else
        None (skipped)."""
        full = os.path.join(self.root, rel)
        if rel.endswith("/"):  # git lists an untracked nested repository or worktree as a directory
            self.skip(rel.rstrip("/"), "nested git repository: scan it as its own root")
            return None
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            return None  # deleted in the work tree but still in the index: nothing on disk to leak
        except OSError as exc:
            self.skip(rel, f"unreadable: {exc.strerror}")
            return None
        self.seen.add(rel)
        if rel in BASELINE_FILES:
            self.skip(rel, "baseline of accepted findings (hashes only)")
            return None
        if self.ruleset.file_rules:
            self.tally.findings.extend(_file_rule_findings(self.ruleset, rel, self.label))
        if stat.S_ISLNK(st.st_mode):
            self.skip(rel, "symlink: not followed")
            return None
        if not stat.S_ISREG(st.st_mode):
            self.skip(rel, "not a regular file")
            return None
        if st.st_size > self.size_limit:
            self.skip(rel, f"larger than {self.size_limit} bytes")
            self.tally.hygiene.append(large_file_issue(rel, st.st_size, self.size_limit, self.label))
            return None
        entry, cached = self.known.get(rel, (None, None))
        data: bytes | None = None
        if entry is None or not entry.matches(st):
            cached = None
            data = self.read(rel)
            if data is None:
                return None
            if len(data) > self.size_limit:  # grew since lstat
                self.skip(rel, f"larger than {self.size_limit} bytes")
                self.tally.hygiene.append(large_file_issue(rel, len(data), self.size_limit, self.label))
                return None
            entry = FileEntry(
                st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, blob_id(data), is_binary(data)
            )
            if self.cache is not None:
                self.new_files.append((rel, entry))
        if entry.binary:
            self.skip(rel, "binary")
            return None
        context = self.ruleset.context_key(rel)
        return entry.blob, context, data, entry.size, cached if context == "" else None

    def scan_batch(self, batch: list[_Admitted]) -> None:
        """Findings of a batch of admitted files: from the cache when it knows their content, else scanned.

        With workers, the batch's unknown files go to them and its totals wait until the next batch has been
        read (so reading and scanning overlap); :meth:`drain` settles what is still out.
        """
        unknown = ((b, c) for _, b, c, _, _, known in batch if known is None)
        cached = self.cache.findings(self.ruleset.version, unknown) if self.cache else {}
        if self.workers is None:
            self._tally(batch, cached)
            return
        todo: dict[tuple[str, str], tuple[bytes, str, str]] = {}
        for rel, blob, context, data, _size, known in batch:
            key = (blob, context)
            if known is not None or key in cached or key in self.tally.scanned or key in self.inflight:
                continue
            if data is None:
                data = self.read(rel)
                if data is None:
                    continue
            todo[key] = (data, rel, self.label)
            self.inflight.add(key)
        self.pending.append((batch, cached, list(todo), self.workers.submit(list(todo.values()))))
        if len(self.pending) > 1:
            self._settle_oldest()

    def drain(self) -> None:
        """Wait for the workers and settle every batch still out."""
        while self.pending:
            self._settle_oldest()

    def _settle_oldest(self) -> None:
        batch, cached, keys, results = self.pending.popleft()
        for key, found in zip(keys, results, strict=True):
            self.inflight.discard(key)
            self.tally.scanned[key] = [to_cached(f) for f in found]
            self.new_blobs.append((*key, self.tally.scanned[key]))
            self.fresh[key] = found
        self._tally(batch, cached)

    def _tally(self, batch: list[_Admitted], cached: dict[tuple[str, str], list[CachedFinding]]) -> None:
        scanned = self.tally.scanned
        for rel, blob, context, data, size, known in batch:
            self.tally.files += 1
            self.tally.bytes += size
            key = (blob, context)
            fresh = self.fresh.pop(key, None)
            if fresh is not None:  # scanned by a worker just now
                self.tally.findings.extend(fresh)
                continue
            hit = known if known is not None else cached.get(key, scanned.get(key))
            if hit is not None:
                self.tally.from_cache += 1
                self.tally.findings.extend(expand_cached(hit, self.ruleset, rel, self.label))
                continue
            if data is None:
                data = self.read(rel)
                if data is None:
                    continue
            found = scan_bytes(data, rel, self.label, self.ruleset)
            self.tally.findings.extend(found)
            scanned[key] = [to_cached(f) for f in found]
            self.new_blobs.append((*key, scanned[key]))

    def finish(self, complete: bool) -> None:
        """Record what this root taught the cache (and forget vanished files after a complete walk)."""
        if self.cache is None:
            return
        gone = [rel for rel in self.known if rel not in self.seen] if complete else []
        if self.new_files or self.new_blobs or gone:
            self.cache.remember(self.ruleset.version, self.root, self.new_files, self.new_blobs, gone)


def scan_roots(
    roots: Sequence[tuple[str, Path]],
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
    size_limit: int = DEFAULT_SIZE_LIMIT,
    *,
    ruleset: RuleSet = DEFAULT_RULESET,
    cache: ScanCache | None = None,
    suppressions: Suppressions | None = None,
    parallel: bool = False,
) -> ScanReport:
    """Scan each ``(label, path)`` root for secrets and hygiene issues.

    With ``parallel``, a large scan runs its files in forked worker processes, one per core (for command-line
    use: forking a process that runs other threads, such as the app, is not safe).

    ``cancel`` is checked before every file; ``progress(done, total)`` is called every few dozen files and
    at the end. A missing root becomes a ``skipped`` entry; so does each binary, oversized, unreadable or
    symlinked file. With a ``cache``, files whose content was scanned before with the same rule set are
    answered from it. Findings that ``suppressions`` accept go to the report's ``accepted``.
    """
    started = time.perf_counter()
    tally = _Tally()
    plans: list[tuple[str, Path, Listing]] = []
    for label, raw_path in roots:
        path = Path(raw_path).absolute()
        if not path.is_dir():
            reason = "not a directory" if path.exists() else "no such directory"
            tally.skipped.append((path.as_posix(), f"root {label or path.name}: {reason}"))
            continue
        try:
            plans.append((label, path, list_root(path)))
        except CdevError as exc:
            tally.skipped.append((path.as_posix(), f"root {label or path.name}: {exc}"))

    total = sum(len(listing.files) for _, _, listing in plans)
    if progress:
        progress(0, total)
    many = total >= _PARALLEL_MIN_FILES and (os.cpu_count() or 1) > 1
    workers = _Workers(ruleset) if parallel and many else None
    try:
        cancelled, done = _scan_plans(plans, ruleset, cache, size_limit, tally, workers, cancel, progress)
    finally:
        if workers is not None:
            workers.close()
    if cache is not None and not cancelled:
        cache.forget_other_rulesets(ruleset.version)
    if progress and not cancelled:
        progress(done, total)
    return _report(roots, plans, tally, started, cancelled, ruleset, suppressions)


def _scan_plans(
    plans: list[tuple[str, Path, Listing]],
    ruleset: RuleSet,
    cache: ScanCache | None,
    size_limit: int,
    tally: _Tally,
    workers: _Workers | None,
    cancel: Callable[[], bool] | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[bool, int]:
    """Every root's files through :class:`_RootScan`; returns (cancelled, files done)."""
    total = sum(len(listing.files) for _, _, listing in plans)
    done = 0
    cancelled = False
    for label, root, listing in plans:
        tally.hygiene.extend(file_issues(root, listing, label))
        job = _RootScan(label, root, ruleset, cache, size_limit, tally)
        job.workers = workers
        batch: list[_Admitted] = []
        for rel in listing.files:
            if cancel and cancel():
                cancelled = True
                break
            done += 1
            if progress and done % _PROGRESS_EVERY == 0:
                progress(done, total)
            admitted = job.admit(rel)
            if admitted is not None:
                batch.append((rel, *admitted))
            if len(batch) >= _BATCH:
                job.scan_batch(batch)
                batch = []
        if batch:
            job.scan_batch(batch)
        job.drain()
        job.finish(complete=not cancelled)
        if cancelled:
            break
    return cancelled, done


def _report(
    roots: Sequence[tuple[str, Path]],
    plans: list[tuple[str, Path, Listing]],
    tally: _Tally,
    started: float,
    cancelled: bool,
    ruleset: RuleSet,
    suppressions: Suppressions | None,
) -> ScanReport:
    reported, accepted = (suppressions or Suppressions()).split(tally.findings)
    return ScanReport(
        roots=[label for label, _ in roots],
        files_scanned=tally.files,
        bytes_scanned=tally.bytes,
        findings=reported,
        hygiene=tally.hygiene,
        skipped=tally.skipped,
        seconds=time.perf_counter() - started,
        cancelled=cancelled,
        root_paths={label: path.as_posix() for label, path, _ in plans},
        accepted=accepted,
        files_from_cache=tally.from_cache,
        rules=ruleset.origin,
    )
