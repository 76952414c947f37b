"""Structural resolutions that can be proven: both sides only added distinct entries to an unordered block.

A block is a run of entries whose order carries no meaning: Python or JavaScript import lines, requirement
lists, one-per-line elements of a list or keys of a dict (Python, JSON, TOML, JS), and changelog entries.
The rule fires only when each side's change is a pure insertion of whole entries (nothing of the base is
removed or edited), the entries the two sides add have distinct keys, and the combined result parses again.
The result keeps the block's sort order when all three sides are sorted, else ours' entries then theirs'
(version sections of a changelog newest first).
"""

from __future__ import annotations

import ast
import itertools
import json
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from cdev_tui.conflicts.hunks import split_lines

Parser = Callable[[str], bool]


@dataclass(frozen=True)
class StructuralResult:
    """A proven combination of both sides, and what kind of block it is."""

    result: str
    block: str
    """``imports``, ``requirements``, ``list elements``, ``dict keys`` or ``changelog entries``."""
    order: str
    """``sorted``, ``ours then theirs`` or ``newest version first``."""


@dataclass(frozen=True)
class _Entry:
    lines: tuple[str, ...]
    key: str

    @property
    def text(self) -> str:
        return "".join(self.lines)


# --- line grammars ----------------------------------------------------------------------------------------

_PY_IMPORT = re.compile(
    r"^[ \t]*(?:import [\w.]+(?: as \w+)?(?:, [\w.]+(?: as \w+)?)*|from [\w.]+ import [\w, ]+(?: as \w+)?)[ \t]*(?:#.*)?\r?\n?$"
)
_JS_IMPORT = re.compile(r"""^[ \t]*import\s+(?:[\w*{}\s,$]+\s+from\s+)?(['"])[^'"\n]+\1\s*;?[ \t]*\r?\n?$""")
_REQUIREMENT = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9._, -]*\])?\s*(?:(?:[<>=!~]=?|===)\s*[\w.*+!-]+\s*,?\s*)*"
    r"(?:;[^#\n]*)?(?:\s+#.*)?\r?\n?$"
)
_REQ_CONTINUATION = re.compile(r"^[ \t]+#.*\r?\n?$")
_ELEMENT = re.compile(
    r"""^[ \t]+(?:(['"])(?:[^'"\\\n]|\\.)*\1|[\w.+-]+|\[[^\[\]\n]*\]|\([^()\n]*\))[ \t]*,[ \t]*(?:(?:#|//).*)?\r?\n?$"""
)
_KEY_VALUE = re.compile(
    r"""^[ \t]+((['"])(?:[^'"\\\n]|\\.)*\2|[A-Za-z_][\w-]*)[ \t]*[:=][ \t]*[^\n]*,[ \t]*(?:(?:#|//).*)?\r?\n?$"""
)
_OPENER = re.compile(r"[\[({][ \t]*(?:(?:#|//).*)?\r?\n?$")
_BULLET = re.compile(r"^([ \t]*)([-*+])([ \t]+)\S")
_VERSION_HEADING = re.compile(r"^(?:#{1,6}[ \t]+)?(?:Version|Release|v)?[ \t]*v?(\d+(?:\.\d+)+)\b", re.I)
_UNDERLINE = re.compile(r"^([-=~^*#+])\1{2,}[ \t]*\r?\n?$")
_CHANGELOG_NAMES = re.compile(
    r"^(?:changes|changelog|history|news|release[-_]?notes)(?:\.(?:rst|md|txt))?$", re.I
)


def _normalise_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _stripped(line: str) -> str:
    return line.rstrip("\r\n").strip()


# --- entry splitting per block kind -----------------------------------------------------------------------


def _import_entries(lines: Sequence[str], pattern: re.Pattern[str]) -> list[_Entry] | None:
    """One entry per import line, keyed by what it imports from: two lines for one module are a conflict."""
    entries = []
    for line in lines:
        if not pattern.match(line):
            return None
        entries.append(_Entry((line,), _import_key(line)))
    return entries


def _import_key(line: str) -> str:
    text = re.sub(r"\s+", " ", _stripped(line.split("#")[0]))
    source = re.search(r"""from\s+(['"])(.+?)\1""", text) or re.search(r"""^import\s+(['"])(.+?)\1""", text)
    if source:  # JavaScript: the module string
        return "module " + source[2]
    words = text.split(" ")
    if words[0] == "from":
        return "from " + words[1]
    return "import " + words[1].rstrip(",")


def _requirement_entries(lines: Sequence[str]) -> list[_Entry] | None:
    entries: list[_Entry] = []
    for line in lines:
        if _REQ_CONTINUATION.match(line) and entries:
            last = entries[-1]
            entries[-1] = _Entry((*last.lines, line), last.key)
            continue
        match = _REQUIREMENT.match(line)
        if not match or line[:1].isspace():
            return None
        entries.append(_Entry((line,), _normalise_name(match[1])))
    return entries


def _element_entries(lines: Sequence[str]) -> tuple[list[_Entry], str] | None:
    entries = []
    kinds = set()
    for line in lines:
        pair = _KEY_VALUE.match(line)
        if pair:
            kinds.add("dict keys")
            entries.append(_Entry((line,), pair[1].strip("'\"")))
        elif _ELEMENT.match(line):
            kinds.add("list elements")
            entries.append(_Entry((line,), _stripped(line).rstrip(",").strip()))
        else:
            return None
    if len(kinds) > 1:
        return None
    return entries, (kinds.pop() if kinds else "list elements")


def _changelog_entries(lines: Sequence[str]) -> list[_Entry] | None:
    """Bullet items (with their continuation lines) or whole version sections; trailing blank lines stay."""
    if not lines:
        return []
    first = lines[0]
    if _version_section_start(lines, 0):
        starts = [i for i in range(len(lines)) if _version_section_start(lines, i)]
    elif _BULLET.match(first):
        indent = _BULLET.match(first)[1]  # type: ignore[index]
        starts = [i for i, line in enumerate(lines) if (m := _BULLET.match(line)) and m[1] == indent]
        for i, line in enumerate(lines):
            if i in starts or not _stripped(line):
                continue
            if not line.startswith(indent) or len(line) - len(line.lstrip()) <= len(indent):
                return None  # a line that is neither a bullet of this list nor its continuation
    else:
        return None
    entries = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        chunk = tuple(lines[start:end])
        entries.append(_Entry(chunk, re.sub(r"\s+", " ", "".join(chunk)).strip()))
    return entries


def _version_section_start(lines: Sequence[str], i: int) -> bool:
    line = lines[i]
    if line.lstrip().startswith("#"):
        return bool(_VERSION_HEADING.match(line.lstrip()))
    underlined = i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1])
    return bool(underlined and _VERSION_HEADING.match(line))


def _version_of(entry: _Entry) -> tuple[int, ...] | None:
    match = _VERSION_HEADING.match(entry.lines[0].lstrip())
    return tuple(int(x) for x in match[1].split(".")) if match else None


# --- parsers that prove the result ------------------------------------------------------------------------


def _python_ok(text: str) -> bool:
    try:
        ast.parse(textwrap.dedent(text))
    except (SyntaxError, ValueError):
        return False
    return True


def _json_ok(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _toml_ok(text: str) -> bool:
    import tomllib

    try:
        tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return False
    return True


FILE_PARSERS: dict[str, Parser] = {
    ".py": _python_ok,
    ".pyi": _python_ok,
    ".json": _json_ok,
    ".toml": _toml_ok,
}
"""Whole-file parsers by suffix: a combination is offered only when the file parses with it."""


# --- the rule ---------------------------------------------------------------------------------------------

_UNORDERED_LIST = re.compile(
    r"(?i)(__all__|dependencies|requires|requirements|extras|classifiers|keywords)\b[\"']?\s*[:=]"
)


def _insertion_only(base: list[str], side: list[str]) -> bool:
    """Whether ``side`` is ``base`` with lines inserted (nothing removed or changed)."""
    from cdev_tui.cext.diff import line_opcodes

    return all(tag in ("equal", "insert") for tag, *_ in line_opcodes(base, side))


def _opener(prefix: str) -> str:
    """The line that opens the bracket the hunk sits in: the nearest line above that is not an element."""
    for line in reversed(split_lines(prefix)):
        text = _stripped(line)
        if not text or text.startswith(("#", "//")) or _ELEMENT.match(line) or _KEY_VALUE.match(line):
            continue
        return line if _OPENER.search(line) else ""
    return ""


def _block_kind(path: str, lines: Sequence[str], prefix: str) -> str | None:
    pure = PurePosixPath(path)
    name, suffix = pure.name, pure.suffix.lower()
    if _CHANGELOG_NAMES.match(name):
        return "changelog entries"
    folders = [part.lower() for part in pure.parts[:-1]]
    named = name.lower().startswith(("requirements", "constraints")) or "requirements" in folders
    if named and suffix in (".txt", ".in"):
        return "requirements"
    if suffix in (".py", ".pyi") and all(_PY_IMPORT.match(x) for x in lines):
        return "imports"
    if suffix in _JS_SUFFIXES and all(_JS_IMPORT.match(x) for x in lines):
        return "imports"
    if suffix in (".py", ".pyi", ".json", ".toml", *_JS_SUFFIXES):
        opener = _opener(prefix)
        if opener.rstrip().endswith("{") or (opener and _UNORDERED_LIST.search(opener)):
            return "elements"
    return None


_JS_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs")


def _entries(kind: str, lines: Sequence[str], path: str) -> tuple[list[_Entry], str] | None:
    if kind == "imports":
        js = PurePosixPath(path).suffix.lower() in _JS_SUFFIXES
        found = _import_entries(lines, _JS_IMPORT if js else _PY_IMPORT)
        return (found, "imports") if found is not None else None
    if kind == "requirements":
        found = _requirement_entries(lines)
        return (found, "requirements") if found is not None else None
    if kind == "changelog entries":
        found = _changelog_entries(lines)
        return (found, "changelog entries") if found is not None else None
    return _element_entries(lines)


def _sort_key(block: str) -> Callable[[_Entry], tuple[bool, str]]:
    if block == "imports":
        return lambda e: (e.key.startswith("from "), e.key.lower())
    return lambda e: (False, e.key.lower())


def _is_sorted(entries: Sequence[_Entry], key: Callable[[_Entry], tuple[bool, str]]) -> bool:
    keys = [key(e) for e in entries]
    return all(a <= b for a, b in itertools.pairwise(keys))


def _gaps(base: Sequence[_Entry], side: Sequence[_Entry]) -> list[list[_Entry]] | None:
    """The entries ``side`` added before each base entry (and after the last); None if it changed any."""
    gaps: list[list[_Entry]] = [[] for _ in range(len(base) + 1)]
    base_keys = {e.key for e in base}
    g = 0
    for entry in side:
        if g < len(base) and entry.key == base[g].key:
            if entry.text != base[g].text:
                return None
            g += 1
        elif entry.key in base_keys:
            return None
        else:
            gaps[g].append(entry)
    return gaps if g == len(base) else None


def combine(
    path: str,
    base: str,
    ours: str,
    theirs: str,
    *,
    prefix: str = "",
    suffix: str = "",
    file_with: Callable[[str], str] | None = None,
) -> StructuralResult | None:
    """Both sides' added entries together, when that is provably right; None otherwise.

    ``prefix`` and ``suffix`` are the file text above and below the hunk (they tell a list's inside from
    free code, and whether the block around the hunk is sorted);
    ``file_with(result)`` renders the whole file with this hunk resolved, for the parse check.
    """
    b, o, t = split_lines(base), split_lines(ours), split_lines(theirs)
    if o in (t, b) or t == b:
        return None  # trivial: another rule's business
    kind = _block_kind(path, [*b, *o, *t], prefix)
    if kind is None or not _insertion_only(b, o) or not _insertion_only(b, t):
        return None
    parsed = [_entries(kind, side, path) for side in (b, o, t)]
    if parsed[0] is None or parsed[1] is None or parsed[2] is None:
        return None
    (base_entries, _), (ours_entries, block), (theirs_entries, _) = parsed
    if len({p[1] for p, lines in zip(parsed, (b, o, t), strict=True) if lines}) > 1:
        return None  # dict keys on one side, list elements on another
    if len({e.key for e in base_entries}) != len(base_entries):
        return None
    ours_gaps, theirs_gaps = _gaps(base_entries, ours_entries), _gaps(base_entries, theirs_entries)
    if ours_gaps is None or theirs_gaps is None:
        return None
    added_o = [e for gap in ours_gaps for e in gap]
    added_t = [e for gap in theirs_gaps for e in gap]
    for added in (added_o, added_t):
        if len({e.key for e in added}) != len(added):
            return None
    by_key = {e.key: e for e in added_o}
    shared = {e.key for e in added_t if e.key in by_key}
    if any(by_key[e.key].text != e.text for e in added_t if e.key in shared):
        return None  # the same key added with different content: a real conflict
    neighbours = _neighbours(kind, path, prefix, suffix)
    ordered = _ordered(
        block, base_entries, ours_entries, theirs_entries, ours_gaps, theirs_gaps, shared, neighbours
    )
    if ordered is None:
        return None
    entries, order = ordered
    result = "".join(e.text for e in entries)
    if not _parses(block, path, result, file_with):
        return None
    return StructuralResult(result, block, order)


def _ordered(
    block: str,
    base: list[_Entry],
    ours: list[_Entry],
    theirs: list[_Entry],
    ours_gaps: list[list[_Entry]],
    theirs_gaps: list[list[_Entry]],
    shared: set[str],
    neighbours: tuple[list[_Entry], list[_Entry]],
) -> tuple[list[_Entry], str] | None:
    key = _sort_key(block)
    above, below = neighbours
    sides = [[*above, *side, *below] for side in (base, ours, theirs)]
    sortable = block != "changelog entries" and len(sides[1]) + len(sides[2]) >= 5
    if sortable and all(_is_sorted(side, key) for side in sides):
        merged = {e.key: e for e in [*ours, *theirs]}
        return sorted(merged.values(), key=key), "sorted"
    result: list[_Entry] = []
    order = "ours then theirs"
    for g in range(len(base) + 1):
        gap = [*ours_gaps[g], *(e for e in theirs_gaps[g] if e.key not in shared)]
        if block == "changelog entries" and ours_gaps[g] and theirs_gaps[g]:
            versions = [_version_of(e) for e in gap]
            if all(versions):
                if len(set(versions)) != len(versions):
                    return None
                gap.sort(key=lambda e: _version_of(e) or (), reverse=True)
                order = "newest version first"
        result += gap
        if g < len(base):
            result.append(base[g])
    return result, order


def _neighbours(kind: str, path: str, prefix: str, suffix: str) -> tuple[list[_Entry], list[_Entry]]:
    """The entries right above and right below the hunk, when those lines are entries of the same block."""
    above_lines = split_lines(prefix)[-1:]
    below_lines = split_lines(suffix)[:1]
    above = _entries(kind, above_lines, path) if above_lines else None
    below = _entries(kind, below_lines, path) if below_lines else None
    return (above[0] if above else []), (below[0] if below else [])


def _parses(block: str, path: str, result: str, file_with: Callable[[str], str] | None) -> bool:
    """The combination must parse: as entries of its block, and the whole file with the file's parser."""
    lines = split_lines(result)
    if block == "changelog entries":
        return _changelog_entries(lines) is not None
    if block == "requirements":
        return _requirement_entries(lines) is not None
    suffix = PurePosixPath(path).suffix.lower()
    if block == "imports" and suffix in (".py", ".pyi"):
        return _python_ok(result)
    parser = FILE_PARSERS.get(suffix)
    if parser is None:
        return block == "imports"  # JS imports: each line matched the strict import grammar
    return file_with is not None and parser(file_with(result))
