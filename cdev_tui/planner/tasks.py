"""Task inputs: a markdown task list, a plain text file, a typed description or a Linear issue → a TaskSpec.

Requirements are the open list items of a description (ticked items and their sub-items are skipped), else
its paragraphs or lines; the task id is a ticket id found in the text, else a slug of the title.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.structured import load_structured, read_user_file

MAX_TASK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class TaskSpec:
    """What to plan: an id, a title, the full description and the requirements found in it."""

    task_id: str
    title: str
    description: str
    requirements: list[str]
    source: str


_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\[(?P<box>[ xX])\][ \t]*)?(?P<text>\S.*)$"
)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE_LINE = re.compile(r"^\s*(```|~~~)")
_TICKET = re.compile(r"\b([A-Z][A-Z0-9]{1,9}-\d{1,7})\b")
_SAFE_TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_INLINE_MARKUP = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")


def _clean(text: str) -> str:
    return " ".join(_INLINE_MARKUP.sub("", text).split())


@dataclass
class _Item:
    indent: int
    text: str
    context: str
    details: list[str] = field(default_factory=list)

    def requirement(self) -> str:
        body = "; ".join([self.text, *self.details])
        return f"{self.context}: {body}" if self.context else body


def _parse_markdown(text: str) -> tuple[str | None, list[str], list[str]]:
    """(first level-1 heading, open list items with their heading context, plain paragraphs)."""
    title: str | None = None
    headings: dict[int, str] = {}
    items: list[_Item] = []
    paragraphs: list[str] = []
    current: list[str] = []
    in_fence = False
    skipping_indent: int | None = None  # inside a ticked item: its sub-items are done too
    last_was_item = False

    def flush() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for raw in text.splitlines():
        if _FENCE_LINE.match(raw):
            in_fence = not in_fence
            flush()
            continue
        if in_fence:
            continue
        heading = _HEADING.match(raw)
        if heading:
            flush()
            last_was_item = False
            level, words = len(heading.group(1)), _clean(heading.group(2))
            if level == 1 and title is None:
                title = words
                continue
            headings = {k: v for k, v in headings.items() if k < level}
            headings[level] = words
            continue
        item = _ITEM.match(raw)
        if item:
            flush()
            indent = len(item.group("indent").expandtabs(4))
            words = _clean(item.group("text"))
            if skipping_indent is not None and indent > skipping_indent:
                continue
            skipping_indent = None
            if item.group("box") in ("x", "X"):
                skipping_indent = indent
                last_was_item = False
                continue
            if items and last_was_item and indent > items[-1].indent:
                items[-1].details.append(words)
            else:
                context = " / ".join(headings[k] for k in sorted(headings))
                items.append(_Item(indent, words, context))
            last_was_item = True
            continue
        if not raw.strip():
            flush()
            continue
        if last_was_item and raw[:1] in (" ", "\t") and items:
            target = items[-1]
            if target.details:
                target.details[-1] += " " + _clean(raw)
            else:
                target.text += " " + _clean(raw)
            continue
        last_was_item = False
        skipping_indent = None
        current.append(_clean(raw))
    flush()
    return title, [i.requirement() for i in items if i.text], paragraphs


def _plain_requirements(text: str) -> list[str]:
    """One requirement per paragraph; a text without blank lines gives one per line."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    if len(blocks) == 1:
        return [_clean(line) for line in blocks[0].splitlines() if line.strip()]
    return [_clean(" ".join(b.split())) for b in blocks]


def requirements_from_text(text: str) -> list[str]:
    """Requirements of a description: its open list items (numbered or bulleted), else its paragraphs/lines."""
    _title, items, _paragraphs = _parse_markdown(text)
    if items:
        return items
    body = "\n".join(line for line in text.splitlines() if not _HEADING.match(line))
    return [r for r in _plain_requirements(body) if r]


def _slug(text: str, words: int = 5) -> str:
    parts = re.findall(r"[a-z0-9]+", text.lower())[:words]
    return "-".join(parts)[:40].strip("-") or "task"


def _task_id_for(*texts: str, fallback: str) -> str:
    for text in texts:
        match = _TICKET.search(text or "")
        if match:
            return match.group(1)
    return _slug(fallback)


def _check_task_id(task_id: str, where: str) -> str:
    if not _SAFE_TASK_ID.match(task_id) or ".." in task_id:
        raise CdevError(f"{where}: invalid task id {task_id!r}: use letters, digits, '.', '_' or '-'")
    return task_id


def _read_task_file(path: Path) -> str:
    data = read_user_file(path, limit=MAX_TASK_BYTES, expected="a markdown or text task description")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CdevError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def task_from_issue(issue: Mapping[str, Any], source: str) -> TaskSpec:
    """A task from a Linear issue object (§2.1); null description, assignee or project are fine."""
    if isinstance(issue.get("issue"), Mapping):  # a raw GraphQL ``data`` object
        issue = issue["issue"]
    identifier = str(issue.get("identifier") or issue.get("id") or "").strip()
    if not identifier:
        raise CdevError(f"{source}: the Linear issue has no identifier")
    title = _clean(str(issue.get("title") or "")) or identifier
    description = issue.get("description") or ""
    if not isinstance(description, str):
        raise CdevError(f"{source}: the issue description is not text")
    requirements = requirements_from_text(description) or [title]
    return TaskSpec(_check_task_id(identifier, source), title, description, requirements, source)


def task_from_text(text: str, *, task_id: str | None = None, source: str = "typed") -> TaskSpec:
    """A task from a typed description: its first line is the title."""
    stripped = text.strip()
    if not stripped:
        raise CdevError(f"{source}: the task description is empty")
    first = next(line for line in stripped.splitlines() if line.strip())
    heading, item = _HEADING.match(first), _ITEM.match(first)
    title = _clean(heading.group(2) if heading else item.group("text") if item else first)[:100]
    requirements = requirements_from_text(stripped)
    if not requirements:
        raise CdevError(f"{source}: no requirements found")
    tid = _check_task_id(task_id or _task_id_for(title, fallback=title), source)
    return TaskSpec(tid, title, stripped, requirements, source)


def load_task_file(path: Path, *, task_id: str | None = None) -> TaskSpec:
    """A task from a markdown task list, a plain text file or a Linear issue cache file (JSON/YAML)."""
    path = Path(path)
    if path.suffix.lower() in (".json", ".yaml", ".yml"):
        data = load_structured(path)
        if isinstance(data, Mapping) and ("identifier" in data or isinstance(data.get("issue"), Mapping)):
            task = task_from_issue(data, str(path))
            return replace(task, task_id=_check_task_id(task_id, str(path))) if task_id else task
        raise CdevError(f"{path}: neither a Linear issue nor a task plan")
    text = _read_task_file(path)
    if not text.strip():
        raise CdevError(f"{path}: the file is empty")
    stem_title = " ".join(re.split(r"[-_\s]+", path.stem)).strip() or path.stem
    if path.suffix.lower() in (".md", ".markdown", ".mdown"):
        title, items, paragraphs = _parse_markdown(text)
        requirements = items or [p for p in paragraphs if p]
        source = f"markdown:{path}"
    else:
        title, requirements, source = None, requirements_from_text(text), f"text:{path}"
    if not requirements:
        raise CdevError(f"{path}: no requirements found (expected list items, lines or paragraphs)")
    title = title or stem_title
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    tid = task_id or _task_id_for(title, first_line, fallback=path.stem)
    return TaskSpec(_check_task_id(tid, str(path)), title, text, requirements, source)
