"""The local OSV database: osv.dev's per-ecosystem exports, as ``<Ecosystem>/all.zip`` or unpacked
``<Ecosystem>/*.json``, loaded lazily and only for the packages asked about."""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cdev_tui.security.deps.advisory import Advisory, AdvisoryError, parse_advisory
from cdev_tui.security.deps.archive import (
    Catalog,
    ZipReader,
    load_catalog,
    save_catalog,
    zip_entries,
)
from cdev_tui.security.deps.versions import index_key

MAX_ADVISORY_BYTES = 8 * 1024 * 1024
_NAME = re.compile(rb'"name"\s*:\s*"((?:[^"\\]|\\.)*)"')


def default_db_dir() -> Path:
    """``$XDG_CACHE_HOME/cdev-tui/osv``, else ``~/.cache/cdev-tui/osv``."""
    cache = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(cache) if cache and Path(cache).is_absolute() else Path.home() / ".cache"
    return base / "cdev-tui" / "osv"


def _names_in(data: bytes, ecosystem: str) -> set[str]:
    """Index keys of every ``"name": "…"`` in a raw advisory: a cheap superset of its packages' names."""
    names: set[str] = set()
    for match in _NAME.finditer(data):
        raw = match.group(1)
        try:
            text = json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode()
        except (ValueError, UnicodeDecodeError):
            continue
        names.add(index_key(ecosystem, text))
    return names


@dataclass
class _Files:
    """One ecosystem's advisory files (a zip's catalogue, or a folder's file names) and, per index key, the
    indexes of the files that mention it."""

    source: Path
    catalog: Catalog | None  # None for a folder of JSON files
    folder_files: list[str] = field(default_factory=list)
    names: dict[str, list[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.folder_files) if self.catalog is None else len(self.catalog.rows)

    def member(self, i: int) -> str:
        if self.catalog is None:
            return self.folder_files[i]
        row = self.catalog.rows[i]
        return str(row[0]) if isinstance(row, list) and row else f"member {i}"

    def where(self, i: int) -> tuple[Path, str]:
        """(problem path, member label) of member ``i``."""
        if self.catalog is None:
            return self.source / self.folder_files[i], ""
        return self.source, self.member(i)


class OsvDatabase:
    """Advisories under ``db_dir``, indexed by (ecosystem, normalised package name).

    Nothing is read until :meth:`load` or :meth:`advisories`. The first load of an ecosystem makes one pass
    over its files to catalogue which package names each one mentions (for a zip the catalogue is kept
    beside it until the zip changes, so later runs skip that pass); after that only the files of the packages
    asked about are parsed. A file that cannot be read or is not an OSV advisory is skipped and recorded in
    :attr:`problems` as (path, reason). Withdrawn advisories are dropped.
    """

    def __init__(self, db_dir: Path) -> None:
        self.db_dir = Path(db_dir)
        self.problems: list[tuple[str, str]] = []
        self._index: dict[str, dict[str, list[Advisory]]] = {}
        self._loaded: dict[str, set[str] | None] = {}  # ecosystem -> index keys loaded (None: all)
        self._files: dict[str, _Files] = {}
        self._parsed: dict[tuple[str, int], Advisory | None] = {}  # (ecosystem, member) -> advisory
        self._seen_problems: set[tuple[str, str]] = set()

    @property
    def present(self) -> bool:
        """The database directory exists."""
        return self.db_dir.is_dir()

    def source(self, ecosystem: str) -> Path | None:
        """``<Ecosystem>/all.zip`` when present, else the ``<Ecosystem>`` folder when it holds JSON files."""
        folder = self.db_dir / ecosystem
        if not folder.is_dir() and self.present:
            folder = next((p for p in self.db_dir.iterdir() if p.name.lower() == ecosystem.lower()), folder)
        if (folder / "all.zip").is_file():
            return folder / "all.zip"
        if folder.is_dir() and any(folder.glob("*.json")):
            return folder
        return None

    def load(self, ecosystem: str, names: Collection[str] | None = None) -> None:
        """Read the advisories of ``ecosystem`` that concern ``names`` (all of them when None)."""
        loaded = self._loaded.get(ecosystem, set())
        if loaded is None:
            return
        wanted = None if names is None else {index_key(ecosystem, n) for n in names} - loaded
        if wanted is not None and not wanted:
            return
        self._loaded[ecosystem] = None if wanted is None else loaded | wanted
        source = self.source(ecosystem)
        if source is None:
            return
        files = self._catalogue(ecosystem, source, wanted)
        if wanted is None:
            chosen = sorted({i for group in files.names.values() for i in group})
        else:
            chosen = sorted({i for key in wanted for i in files.names.get(key, ())})
        missing = [i for i in chosen if (ecosystem, i) not in self._parsed]
        for i, data in self._read(files, missing):
            self._parse(ecosystem, files, i, data)
        index = self._index.setdefault(ecosystem, {})
        for i in chosen:
            advisory = self._parsed.get((ecosystem, i))
            if advisory is None:
                continue
            keys = {index_key(ecosystem, a.name) for a in advisory.affected if a.ecosystem == ecosystem}
            for key in keys if wanted is None else keys & wanted:
                index.setdefault(key, []).append(advisory)

    def prepare(self, ecosystem: str) -> None:
        """Catalogue ``ecosystem`` now (and keep the catalogue beside its zip), so a scan does not pay for it."""
        if (source := self.source(ecosystem)) is not None:
            self._catalogue(ecosystem, source, set())

    def advisories(self, ecosystem: str, name: str) -> list[Advisory]:
        """The advisories that name ``name`` in ``ecosystem`` (loading them on first use)."""
        key = index_key(ecosystem, name)
        self.load(ecosystem, [key])
        return self._index.get(ecosystem, {}).get(key, [])

    def _problem(self, path: Path, member: str, reason: str) -> None:
        entry = (path.as_posix(), f"{member}: {reason}" if member else reason)
        if entry not in self._seen_problems:
            self._seen_problems.add(entry)
            self.problems.append(entry)

    def _parse(self, ecosystem: str, files: _Files, i: int, data: bytes) -> str | None:
        """Parse member ``i`` into the cache; the reason it is not an advisory, or None."""
        advisory: Advisory | None = None
        reason: str | None = None
        try:
            advisory = parse_advisory(json.loads(data))
        except AdvisoryError as exc:
            reason = str(exc)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            reason = f"invalid JSON: {' '.join(str(exc).split())}"
        if reason is not None:
            self._problem(*files.where(i), reason)
        self._parsed[(ecosystem, i)] = None if advisory is None or advisory.withdrawn else advisory
        return reason

    def _catalogue(self, ecosystem: str, source: Path, wanted: set[str] | None) -> _Files:
        """The catalogue of ``source``: from memory, from the file kept beside a zip, or from one pass over
        every file (parsing on the way those that concern ``wanted``)."""
        if ecosystem in self._files:
            return self._files[ecosystem]
        stored = load_catalog(source) if source.is_file() else None
        if stored is not None:
            files = _Files(source, stored, names=stored.names)
            for member, reason in stored.problems:
                self._problem(source, member, reason)
        else:
            files = self._list(source)
            problems: list[tuple[str, str]] = []
            for i, data in self._read(files, range(len(files)), problems):
                keys = _names_in(data, ecosystem)
                for key in keys:
                    files.names.setdefault(key, []).append(i)
                if not keys:  # no package named: a GIT-only record, or not JSON at all
                    if (reason := self._parse(ecosystem, files, i, data)) is not None:
                        problems.append((files.member(i), reason))
                elif wanted is None or not keys.isdisjoint(wanted):
                    self._parse(ecosystem, files, i, data)
            if files.catalog is not None and files.catalog.rows:
                save_catalog(source, Catalog(files.catalog.rows, files.names, problems))
        self._files[ecosystem] = files
        return files

    def _list(self, source: Path) -> _Files:
        if source.is_dir():
            return _Files(source, None, sorted(p.name for p in source.glob("*.json")))
        try:
            entries = zip_entries(source)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            self._problem(source, "", f"not a readable zip archive: {' '.join(str(exc).split())}")
            entries = []
        return _Files(source, Catalog.of(entries, {}, []))

    def _read(
        self, files: _Files, chosen: Iterable[int], problems: list[tuple[str, str]] | None = None
    ) -> Iterator[tuple[int, bytes]]:
        """(member, raw JSON) for each chosen member; unreadable ones become problems (and go to
        ``problems`` as (member, reason) when given)."""

        def skip(i: int, reason: str) -> None:
            self._problem(*files.where(i), reason)
            if problems is not None:
                problems.append((files.member(i), reason))

        if files.catalog is None:
            for i in chosen:
                file = files.source / files.folder_files[i]
                try:
                    if file.stat().st_size > MAX_ADVISORY_BYTES:
                        skip(i, f"larger than {MAX_ADVISORY_BYTES} bytes")
                        continue
                    yield i, file.read_bytes()
                except OSError as exc:
                    skip(i, f"unreadable: {exc.strerror or exc}")
            return
        try:
            reader = ZipReader(files.source)
        except OSError as exc:
            self._problem(files.source, "", f"unreadable: {exc.strerror or exc}")
            return
        with reader:
            catalog = files.catalog
            for i in chosen:
                try:
                    entry = catalog.entry(i)
                    if entry.size > MAX_ADVISORY_BYTES:
                        skip(i, f"larger than {MAX_ADVISORY_BYTES} bytes")
                        continue
                    data = reader.read(entry)
                except ValueError as exc:
                    skip(i, f"unreadable: {exc}")
                    continue
                yield i, data
