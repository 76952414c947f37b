"""What a lock-file reader gets and gives: the context from sibling manifests, the parsed result, line lookup."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

from cdev_tui.errors import CdevError
from cdev_tui.security.deps.model import Dependency


class LockfileError(CdevError):
    """A lock file or manifest that cannot be read: the message says what is wrong (the caller names the file)."""


@dataclass(frozen=True)
class Manifest:
    """The packages a project declares itself (package.json, pyproject.toml, Pipfile)."""

    names: frozenset[str]  # normalised names
    specs: frozenset[str] = frozenset()  # npm only: "name@range" as declared, to tell yarn.lock entries apart


@dataclass(frozen=True)
class ReadContext:
    """What a reader needs to know about the lock file's neighbours."""

    manifest: Manifest | None = None  # the sibling manifest, for lock formats that do not mark direct deps
    locked: bool = False  # a sibling lock file pins everything: a manifest's ranges are not "unpinned"


@dataclass(frozen=True)
class ParsedFile:
    """One lock file or manifest, read."""

    dependencies: tuple[Dependency, ...]
    unpinned: int = 0
    includes: tuple[tuple[str, int], ...] = ()  # (path as written, line) of ``-r`` includes
    problems: tuple[str, ...] = ()  # reasons that did not stop the rest of the file, e.g. "line 4: …"


class Lines:
    """Line numbers for offsets in a text, and for JSON object keys found in document order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self._cursor = 0

    def line_of(self, offset: int) -> int:
        """The 1-based line holding ``offset``."""
        return bisect.bisect_right(self._starts, offset)

    def json_key(self, key: str) -> int:
        """The line of the next ``"key": {`` at or after the previous match (1 when not found).

        Readers walk a JSON document in its own order, so a name that occurs at several depths (npm's v1
        tree) resolves to the right occurrence.
        """
        pattern = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:\s*\{")
        match = pattern.search(self.text, self._cursor) or pattern.search(self.text)
        if match is None:
            return 1
        self._cursor = match.end()
        return self.line_of(match.start())

    def find(self, needle: str, start_line: int = 1) -> int:
        """The line of the first ``needle`` at or after ``start_line`` (``start_line`` when not found)."""
        offset = self.text.find(needle, self._starts[min(start_line, len(self._starts)) - 1])
        return start_line if offset < 0 else self.line_of(offset)


def as_dict(value: object) -> dict:
    """``value`` when it is a mapping, else an empty one (lock files written by other tools vary)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list:
    return value if isinstance(value, list) else []


def load_json_object(text: str) -> dict:
    """A lock file's JSON, which must be an object; :class:`LockfileError` with the reason otherwise."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockfileError(f"invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise LockfileError("invalid JSON: the top level is not an object")
    return data
