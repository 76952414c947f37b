"""Reading the YAML/JSON and text files of cdev's workflow, tolerant of the variants found in the wild."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError

MAX_STRUCTURED_BYTES = 5 * 1024 * 1024


def load_structured(path: Path) -> Any:
    """Parse a YAML or JSON file (JSON is read by the YAML parser too).

    One historical cdev file ends with a stray ``EOF < /dev/null`` line; such shell debris after the
    document is dropped. Anything else malformed raises :class:`CdevError` naming the file and line.
    """
    data = read_user_file(path, limit=MAX_STRUCTURED_BYTES, expected="a YAML or JSON file")
    return parse_structured(data.decode("utf-8", errors="replace"), path)


def parse_structured(text: str, path: Path) -> Any:
    """Parse YAML or JSON text as :func:`load_structured` does; ``path`` (its suffix) says which, and names
    it in errors (a file read from a git tree, say)."""
    import yaml

    text = _drop_shell_debris(text)
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CdevError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise CdevError(f"{path}: invalid YAML{where}: {problem}") from None


def read_user_file(path: Path, *, limit: int, expected: str) -> bytes:
    """The bytes of a file the user pointed us at; missing, unreadable, huge or binary files are a CdevError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CdevError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CdevError(f"{path}: is a directory, expected {expected}") from None
    except OSError as exc:
        raise CdevError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > limit:
        raise CdevError(f"{path}: too large for {expected} ({len(data)} bytes)")
    if b"\0" in data[:8192]:
        raise CdevError(f"{path}: binary file, expected {expected}")
    return data


def _drop_shell_debris(text: str) -> str:
    lines = text.rstrip().splitlines()
    if not lines or not lines[-1].strip().startswith("EOF <"):
        return text
    while lines and lines[-1].strip().startswith("EOF <"):
        lines.pop()
    return "\n".join(lines) + "\n"


def read_text_lines(path: Path) -> list[str] | None:
    """The non-blank lines of a small text file, or None when it does not exist."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    text = data.decode("utf-8", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip()]
