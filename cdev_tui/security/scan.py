"""Scanning roots: each root's files read once, binaries, oversized and odd files skipped with a reason."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from cdev_tui.errors import CdevError
from cdev_tui.security.engine import scan_bytes
from cdev_tui.security.hygiene import DEFAULT_SIZE_LIMIT, file_issues, large_file_issue
from cdev_tui.security.model import Finding, HygieneIssue, ScanReport
from cdev_tui.security.walk import Listing, list_root

BINARY_SNIFF_BYTES = 8192
_PROGRESS_EVERY = 64


def scan_roots(
    roots: Sequence[tuple[str, Path]],
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
    size_limit: int = DEFAULT_SIZE_LIMIT,
) -> ScanReport:
    """Scan each ``(label, path)`` root for secrets and hygiene issues.

    ``cancel`` is checked before every file; ``progress(done, total)`` is called every few dozen files and
    at the end. A missing root becomes a ``skipped`` entry; so does each binary, oversized, unreadable or
    symlinked file.
    """
    started = time.perf_counter()
    skipped: list[tuple[str, str]] = []
    plans: list[tuple[str, Path, Listing]] = []
    for label, raw_path in roots:
        path = Path(raw_path).absolute()
        if not path.is_dir():
            reason = "not a directory" if path.exists() else "no such directory"
            skipped.append((path.as_posix(), f"root {label or path.name}: {reason}"))
            continue
        try:
            plans.append((label, path, list_root(path)))
        except CdevError as exc:
            skipped.append((path.as_posix(), f"root {label or path.name}: {exc}"))

    total = sum(len(listing.files) for _, _, listing in plans)
    done = files_scanned = bytes_scanned = 0
    findings: list[Finding] = []
    hygiene: list[HygieneIssue] = []
    cancelled = False
    if progress:
        progress(0, total)
    for label, root, listing in plans:
        hygiene.extend(file_issues(root, listing, label))
        base = str(root) + os.sep
        for rel in listing.files:
            if cancel and cancel():
                cancelled = True
                break
            done += 1
            if progress and done % _PROGRESS_EVERY == 0:
                progress(done, total)
            full = base + rel
            if rel.endswith("/"):  # git lists an untracked nested repository or worktree as a directory
                skipped.append((Path(full).as_posix(), "nested git repository: scan it as its own root"))
                continue
            try:
                st = os.lstat(full)
            except FileNotFoundError:
                continue  # deleted in the work tree but still in the index: nothing on disk to leak
            except OSError as exc:
                skipped.append((Path(full).as_posix(), f"unreadable: {exc.strerror}"))
                continue
            if stat.S_ISLNK(st.st_mode):
                skipped.append((Path(full).as_posix(), "symlink: not followed"))
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append((Path(full).as_posix(), "not a regular file"))
                continue
            if st.st_size > size_limit:
                skipped.append((Path(full).as_posix(), f"larger than {size_limit} bytes"))
                hygiene.append(large_file_issue(rel, st.st_size, size_limit, label))
                continue
            try:
                with open(full, "rb") as fh:
                    data = fh.read(size_limit + 1)
            except OSError as exc:
                skipped.append((Path(full).as_posix(), f"unreadable: {exc.strerror}"))
                continue
            if len(data) > size_limit:  # grew since lstat
                skipped.append((Path(full).as_posix(), f"larger than {size_limit} bytes"))
                hygiene.append(large_file_issue(rel, len(data), size_limit, label))
                continue
            if data.find(b"\0", 0, BINARY_SNIFF_BYTES) >= 0:
                skipped.append((Path(full).as_posix(), "binary"))
                continue
            files_scanned += 1
            bytes_scanned += len(data)
            findings.extend(scan_bytes(data, rel, label))
        if cancelled:
            break
    if progress and not cancelled:
        progress(done, total)
    return ScanReport(
        roots=[label for label, _ in roots],
        files_scanned=files_scanned,
        bytes_scanned=bytes_scanned,
        findings=findings,
        hygiene=hygiene,
        skipped=skipped,
        seconds=time.perf_counter() - started,
        cancelled=cancelled,
        root_paths={label: path.as_posix() for label, path, _ in plans},
    )
