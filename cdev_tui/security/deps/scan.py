"""Scanning roots for vulnerable dependencies: find the lock files, read each distinct content once, match the
pinned versions against the local OSV database."""

from __future__ import annotations

import hashlib
import posixpath
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from cdev_tui.errors import CdevError
from cdev_tui.security.deps.lockfiles import (
    MANIFEST_READERS,
    PYTHON_LOCKS,
    REQUIREMENTS,
    LockfileKind,
    decode,
    include_path,
    lockfile_kind,
    read_lockfile,
)
from cdev_tui.security.deps.match import Match, matches, severity_order, vulnerable
from cdev_tui.security.deps.model import ECOSYSTEMS, Dependency, DepsReport, VulnerableDependency
from cdev_tui.security.deps.osv import OsvDatabase, default_db_dir
from cdev_tui.security.deps.parsed import LockfileError, Manifest, ParsedFile, ReadContext
from cdev_tui.security.deps.versions import index_key
from cdev_tui.security.walk import list_root

MAX_LOCKFILE_BYTES = 64 * 1024 * 1024
# Lock files come from other tools and from users; a reader bug on odd input must not end the whole scan.
_READ_ERRORS = (LockfileError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)


class LockfileCache:
    """Reads lock files and manifests, each distinct (path, content, context) once across all roots."""

    def __init__(self) -> None:
        self.parsed: dict[tuple, ParsedFile | str] = {}
        self.manifests: dict[tuple[str, str], Manifest | str | None] = {}

    def manifest(self, root: Path, rel: str) -> tuple[Manifest | None, str | None]:
        """The manifest at ``rel`` (None when absent) and the reason it could not be read."""
        data = _read_bytes(root / rel)
        if data is None:
            return None, None
        if isinstance(data, str):
            return None, data
        key = (rel, hashlib.sha256(data).hexdigest())
        if key not in self.manifests:
            try:
                self.manifests[key] = MANIFEST_READERS[posixpath.basename(rel)](decode(data))
            except _READ_ERRORS as exc:
                self.manifests[key] = _reason(exc)
        result = self.manifests[key]
        return (None, result) if isinstance(result, str) else (result, None)

    def lockfile(self, kind: LockfileKind, rel: str, data: bytes, context: ReadContext) -> ParsedFile | str:
        key = (kind.name, rel, hashlib.sha256(data).hexdigest(), context)
        if key not in self.parsed:
            try:
                self.parsed[key] = read_lockfile(kind, data, rel, context)
            except _READ_ERRORS as exc:
                self.parsed[key] = _reason(exc)
        return self.parsed[key]


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, LockfileError):
        return text
    return f"unexpected structure ({type(exc).__name__}: {text})" if text else "unexpected structure"


def _read_bytes(path: Path) -> bytes | str | None:
    """The file's bytes, None when it does not exist, or the reason it cannot be read."""
    try:
        if path.is_symlink():
            return "symlink: not followed"
        if path.stat().st_size > MAX_LOCKFILE_BYTES:
            return f"larger than {MAX_LOCKFILE_BYTES} bytes"
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "not a regular file"
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"


def _context(reader: LockfileCache, root: Path, rel: str, kind: LockfileKind, problems: list) -> ReadContext:
    folder = posixpath.dirname(rel)
    if kind.name == "pyproject.toml":
        locked = any((root / folder / name).is_file() for name in PYTHON_LOCKS)
        return ReadContext(locked=locked)
    if kind.manifest is None:
        return ReadContext()
    manifest_rel = posixpath.join(folder, kind.manifest)
    manifest, reason = reader.manifest(root, manifest_rel)
    if reason is not None:
        problems.append(((root / manifest_rel).as_posix(), reason))
    return ReadContext(manifest=manifest)


def read_root(
    root: Path, label: str = "", reader: LockfileCache | None = None
) -> tuple[list[Dependency], int, list[tuple[str, str]], int]:
    """(dependencies, unpinned count, problems, files read) for one root; its lock files come from
    :func:`cdev_tui.security.walk.list_root` (git's view in a work tree, else a walk)."""
    reader = reader or LockfileCache()
    root = Path(root).absolute()
    before = len(reader.parsed)
    problems: list[tuple[str, str]] = []
    queue = deque((rel, kind) for rel in list_root(root).files if (kind := lockfile_kind(rel)) is not None)
    seen: set[str] = set()
    deps: list[Dependency] = []
    unpinned = 0
    while queue:
        rel, kind = queue.popleft()
        if rel in seen:
            continue
        seen.add(rel)
        full = (root / rel).as_posix()
        data = _read_bytes(root / rel)
        if data is None:
            continue  # deleted in the work tree but still in the index
        if isinstance(data, str):
            problems.append((full, data))
            continue
        context = _context(reader, root, rel, kind, problems)
        parsed = reader.lockfile(kind, rel, data, context)
        if isinstance(parsed, str):
            problems.append((full, parsed))
            continue
        deps.extend(replace(d, root_label=label) for d in parsed.dependencies)
        unpinned += parsed.unpinned
        problems.extend((full, reason) for reason in parsed.problems)
        for written, line in parsed.includes:
            target = include_path(rel, written)
            if target is None:
                problems.append((full, f"line {line}: include {written} lies outside the root: not read"))
            elif not (root / target).is_file():
                problems.append((full, f"line {line}: included file {written} not found"))
            else:
                queue.append((target, REQUIREMENTS))
    return deps, unpinned, list(dict.fromkeys(problems)), len(reader.parsed) - before


def scan_dependencies(
    roots: Sequence[tuple[str, Path]],
    db_dir: Path | None = None,
    *,
    database: OsvDatabase | None = None,
    cancel: Callable[[], bool] | None = None,
) -> DepsReport:
    """Find the pinned dependencies of each ``(label, path)`` root and the ones OSV advisories affect.

    ``db_dir`` defaults to :func:`default_db_dir`; pass ``database`` to reuse one already loaded (the app
    keeps one between scans). Worktrees of one repository share their lock files' contents: each distinct
    content is parsed once and each (package, version) matched once. Unreadable lock files, corrupt
    advisories and missing roots become ``problems``; a missing database becomes a notice. ``cancel`` is
    checked before each root.
    """
    started = time.perf_counter()
    database = database or OsvDatabase(Path(db_dir) if db_dir is not None else default_db_dir())
    reader = LockfileCache()
    deps: list[Dependency] = []
    problems: list[tuple[str, str]] = []
    unpinned = files_read = 0
    for label, raw_path in roots:
        if cancel and cancel():
            break
        path = Path(raw_path).absolute()
        if not path.is_dir():
            reason = "not a directory" if path.exists() else "no such directory"
            problems.append((path.as_posix(), f"root {label or path.name}: {reason}"))
            continue
        try:
            root_deps, root_unpinned, root_problems, root_read = read_root(path, label, reader)
        except CdevError as exc:
            problems.append((path.as_posix(), f"root {label or path.name}: {exc}"))
            continue
        deps.extend(root_deps)
        unpinned += root_unpinned
        problems.extend(root_problems)
        files_read += root_read

    notices: list[str] = []
    found: list[VulnerableDependency] = []
    db_path = database.db_dir.as_posix()
    if not database.present:
        if deps:
            notices.append(
                f"no OSV database at {db_path}: dependencies were not checked (download one first)"
            )
    else:
        found = _match_all(database, deps, notices)
        problems.extend(database.problems)
    return DepsReport(
        roots=[label for label, _ in roots],
        dependencies=deps,
        vulnerable=sorted(found, key=severity_order),
        unpinned=unpinned,
        problems=problems,
        db_present=database.present,
        db_dir=db_path,
        notices=notices,
        files_read=files_read,
        seconds=time.perf_counter() - started,
    )


def _match_all(
    database: OsvDatabase, deps: list[Dependency], notices: list[str]
) -> list[VulnerableDependency]:
    by_ecosystem = {eco: {d.name for d in deps if d.ecosystem == eco} for eco in ECOSYSTEMS}
    usable: set[str] = set()
    for ecosystem, names in by_ecosystem.items():
        if not names:
            continue
        if database.source(ecosystem) is None:
            notices.append(
                f"no {ecosystem} advisories in {database.db_dir.as_posix()} "
                f"({ecosystem}/all.zip or {ecosystem}/*.json): {ecosystem} dependencies were not checked"
            )
            continue
        database.load(ecosystem, names)
        usable.add(ecosystem)
    cache: dict[tuple[str, str, str], list[Match]] = {}
    found: list[VulnerableDependency] = []
    for dep in deps:
        if dep.ecosystem not in usable:
            continue
        key = (dep.ecosystem, index_key(dep.ecosystem, dep.name), dep.version)
        if key not in cache:
            cache[key] = matches(
                database.advisories(dep.ecosystem, dep.name), dep.ecosystem, dep.name, dep.version
            )
        found.extend(vulnerable(dep, cache[key]))
    return found
