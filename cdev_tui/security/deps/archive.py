"""osv.dev's ``all.zip`` exports: members read by offset (hundreds of thousands of small files), and the
catalogue kept beside a zip (which package names each member mentions) so later runs skip the full pass."""

from __future__ import annotations

import json
import mmap
import os
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

CATALOG_FORMAT = 2
_LOCAL_HEADER = b"PK\x03\x04"


@dataclass(frozen=True)
class ZipEntry:
    """Where one member's bytes sit in the archive, and how to check them."""

    name: str
    offset: int  # of the member's local header
    compressed_size: int
    method: int  # 0 stored, 8 deflated
    crc: int
    size: int


def zip_entries(path: Path) -> list[ZipEntry]:
    """The ``.json`` members of the zip at ``path``; raises ``zipfile.BadZipFile`` or ``OSError``."""
    with zipfile.ZipFile(path) as archive:
        return [
            ZipEntry(i.filename, i.header_offset, i.compress_size, i.compress_type, i.CRC, i.file_size)
            for i in archive.infolist()
            if not i.is_dir() and i.filename.endswith(".json")
        ]


class ZipReader:
    """Reads members straight from their offsets (about three times faster than ``ZipFile.read`` per member)."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            self._buf: mmap.mmap | bytes = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            self._buf = b""

    def close(self) -> None:
        if isinstance(self._buf, mmap.mmap):
            self._buf.close()
        self._file.close()

    def __enter__(self) -> ZipReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, entry: ZipEntry) -> bytes:
        """The member's uncompressed bytes; ``ValueError`` saying why when they are corrupt or unsupported."""
        buf = self._buf
        header = buf[entry.offset : entry.offset + 30]
        if len(header) < 30 or header[:4] != _LOCAL_HEADER:
            raise ValueError("no local header at its offset (corrupt archive)")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = entry.offset + 30 + name_len + extra_len
        raw = buf[start : start + entry.compressed_size]
        if len(raw) < entry.compressed_size:
            raise ValueError("truncated member")
        if entry.method == zipfile.ZIP_STORED:
            data = bytes(raw)
        elif entry.method == zipfile.ZIP_DEFLATED:
            try:
                data = zlib.decompress(raw, -15)
            except zlib.error as exc:
                raise ValueError(f"cannot inflate: {exc}") from None
        else:
            raise ValueError(f"compression method {entry.method} not supported")
        if len(data) != entry.size or zlib.crc32(data) != entry.crc:
            raise ValueError("CRC mismatch (corrupt member)")
        return data


@dataclass(frozen=True)
class Catalog:
    """A zip's members and, per index key, the indexes of the members that mention it.

    ``rows`` hold each member's :class:`ZipEntry` fields as a plain list: a fresh process loads a catalogue of
    a few hundred thousand members and needs only a handful of them (see :meth:`entry`).
    """

    rows: list[list]
    names: dict[str, list[int]]
    problems: list[tuple[str, str]]  # (member, reason) found during the full pass

    @classmethod
    def of(
        cls, entries: list[ZipEntry], names: dict[str, list[int]], problems: list[tuple[str, str]]
    ) -> Catalog:
        rows = [[e.name, e.offset, e.compressed_size, e.method, e.crc, e.size] for e in entries]
        return cls(rows, names, problems)

    def entry(self, i: int) -> ZipEntry:
        """Member ``i``; ``ValueError`` when its row is damaged."""
        row = self.rows[i]
        if not isinstance(row, list) or len(row) != 6 or not all(isinstance(x, int) for x in row[1:]):
            raise ValueError("damaged catalogue row")
        return ZipEntry(str(row[0]), *row[1:])


def catalog_path(zip_path: Path) -> Path:
    return zip_path.with_name(f".{zip_path.name}.catalog.json")


def _stamp(zip_path: Path) -> list[int]:
    st = zip_path.stat()
    return [st.st_size, st.st_mtime_ns]


def load_catalog(zip_path: Path) -> Catalog | None:
    """The catalogue kept beside ``zip_path``, or None when there is none, it is damaged or the zip changed."""
    try:
        data = json.loads(catalog_path(zip_path).read_bytes())
        if data["format"] != CATALOG_FORMAT or data["stamp"] != _stamp(zip_path):
            return None
        rows, names = data["rows"], data["names"]
        problems = [(str(m), str(r)) for m, r in data["problems"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None
    if not isinstance(rows, list) or not isinstance(names, dict):
        return None
    count = len(rows)
    for group in names.values():
        if not isinstance(group, list) or not all(isinstance(i, int) and 0 <= i < count for i in group):
            return None
    return Catalog(rows, names, problems)


def save_catalog(zip_path: Path, catalog: Catalog) -> None:
    """Keep ``catalog`` beside the zip (atomically); a read-only database folder simply goes without."""
    target = catalog_path(zip_path)
    try:
        payload = json.dumps(
            {
                "format": CATALOG_FORMAT,
                "stamp": _stamp(zip_path),
                "rows": catalog.rows,
                "names": catalog.names,
                "problems": catalog.problems,
            },
            separators=(",", ":"),
        ).encode()
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(payload)
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError:
        pass
