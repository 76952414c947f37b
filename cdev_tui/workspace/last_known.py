"""The last known workspace (and conflict report), kept in the store so the app can draw them before git has
answered.

Each is saved as JSON after every read, with the repository it belongs to and a fingerprint of the shape
of the classes it is made of. It is drawn at the next start only when both still match: one of another
repository, or written by a version whose classes differ, is never shown, and a damaged one is reported
and ignored. Reading it needs neither git nor the store's writer thread.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import sqlite3
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Union

from cdev_tui.store import LastKnownRow, read_last_known_row
from cdev_tui.workspace.model import WorkspaceSnapshot


class LastKnownError(Exception):
    """A saved snapshot that cannot be used, with the reason in one line."""


@dataclasses.dataclass(frozen=True)
class LastKnown:
    """A snapshot (or a conflict report) read back from the store, and when it was taken."""

    snapshot: Any
    taken_at: float


def encode(value: Any) -> Any:
    """A dataclass tree as JSON-able values (only the fields its constructor takes)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a date or other scalar from a YAML plan's extras


def decode(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` from :func:`encode`'s output (raises on a mismatch)."""
    if kind is Any:
        return data
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        if data is None:
            return None
        if len(options) == 1:
            return decode(options[0], data)
        return data  # a union of scalars (a JSON value as it is)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v) for v in data)
        return tuple(decode(a, v) for a, v in zip(args, data, strict=True))
    if origin in (list, set, frozenset):
        return origin(decode(typing.get_args(kind)[0], v) for v in data)
    if origin in (dict, Mapping) or kind in (dict, Mapping):
        args = typing.get_args(kind) or (str, Any)
        return {k: decode(args[1], v) for k, v in _expect(data, dict).items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        values = _expect(data, dict)
        return kind(
            **{f.name: decode(hints[f.name], values[f.name]) for f in dataclasses.fields(kind) if f.init}
        )
    if kind is Path:
        return Path(_expect(data, str))
    if kind is datetime:
        return datetime.fromisoformat(_expect(data, str))
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if kind is float and isinstance(data, int):
        return float(data)
    if kind in (str, int, float, bool):
        return _expect(data, kind)
    raise LastKnownError(f"cannot rebuild a {kind!r}")


def _expect(data: Any, kind: type) -> Any:
    if not isinstance(data, kind):
        raise LastKnownError(f"expected {kind.__name__}, found {type(data).__name__}")
    return data


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(kind: type) -> dict[str, Any]:
    if kind not in _HINTS:
        _HINTS[kind] = typing.get_type_hints(kind)
    return _HINTS[kind]


def fingerprint(root: type = WorkspaceSnapshot) -> str:
    """A short hash of every class a ``root`` is made of: its fields and their types."""
    seen: dict[str, str] = {}

    def visit(kind: Any) -> None:
        for arg in typing.get_args(kind):
            visit(arg)
        if isinstance(kind, type) and dataclasses.is_dataclass(kind) and kind.__qualname__ not in seen:
            hints = _hints(kind)
            fields = [f for f in dataclasses.fields(kind) if f.init]
            seen[kind.__qualname__] = ",".join(f"{f.name}:{hints[f.name]}" for f in fields)
            for f in fields:
                visit(hints[f.name])
        elif isinstance(kind, type) and issubclass(kind, enum.Enum) and kind.__qualname__ not in seen:
            seen[kind.__qualname__] = ",".join(str(m.value) for m in kind)

    visit(root)
    text = ";".join(f"{name}={shape}" for name, shape in sorted(seen.items()))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def dump(value: Any) -> str:
    """A snapshot or report as the JSON text the store keeps."""
    return json.dumps(encode(value), separators=(",", ":"))


def load_last_known(
    db: Path, common_dir: Path, name: str = "workspace", root: type = WorkspaceSnapshot
) -> LastKnown | None:
    """The ``name`` saved in ``db`` for the repository at ``common_dir``, as a ``root``; None when there is
    none yet.

    Raises :class:`LastKnownError` for one that belongs to another repository, was written by another
    version, or is damaged: it must not be drawn.
    """
    try:
        row = read_last_known_row(db, name)
    except sqlite3.Error as exc:
        raise LastKnownError(f"{db}: cannot read the last known {name} ({exc})") from None
    return None if row is None else from_row(row, db, common_dir, name, root)


def from_row(row: LastKnownRow, db: Path, common_dir: Path, name: str, root: type) -> LastKnown:
    """A saved row checked (repository, version) and rebuilt as a ``root``; raises :class:`LastKnownError`."""
    if row.repo != str(common_dir):
        raise LastKnownError(f"{db}: the last known {name} is of another repository ({row.repo})")
    if row.format != fingerprint(root):
        raise LastKnownError(f"{db}: the last known {name} was saved by another version of cdev-tui")
    try:
        value = decode(root, json.loads(row.data))
    except (LastKnownError, ValueError, TypeError, KeyError) as exc:
        raise LastKnownError(f"{db}: the last known {name} is damaged ({exc})") from None
    return LastKnown(value, row.taken_at)
