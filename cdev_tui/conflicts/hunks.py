"""The hunk model and the conflict-marker parser.

A conflicted file is read into :class:`ConflictedText`: the text between conflicts, kept byte for byte, and
:class:`Hunk` objects holding ours / base / theirs. Both marker styles git writes are understood (``merge``
without a base section and ``diff3``/``zdiff3`` with one), CRLF files, files without a final newline, any
``conflict-marker-size``. Rendering a parsed file without resolutions gives back the exact original text.

Lines that look like markers inside the content (an RST heading underline of seven ``=``, say) make a
hunk ambiguous; the caller may pass ``sides_ok`` (built from git's index stages) to pick the split that
matches what each side really holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from cdev_tui.errors import CdevError

DEFAULT_MARKER_SIZE = 7
CONTEXT_LINES = 3


class MarkerError(CdevError):
    """The conflict markers of a file are broken (e.g. edited by hand into an unbalanced state)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line + 1}: {message}")
        self.line = line


@dataclass(frozen=True)
class Hunk:
    """One conflict region of a file.

    ``ours``, ``base`` and ``theirs`` are the sections' exact text (line endings included). ``base`` is None
    when the file was written without base sections and no base could be found; ``base_source`` says where
    it came from: ``markers`` (a diff3 section), ``index`` (git's stage 1 blob) or ``none``.
    """

    index: int
    ours: str
    base: str | None
    theirs: str
    ours_label: str
    theirs_label: str
    base_label: str | None
    start_line: int
    """0-based line of the ``<<<<<<<`` marker in the conflicted file."""
    end_line: int
    """0-based line of the ``>>>>>>>`` marker."""
    raw: str
    """The whole region as written in the file, markers included."""
    before: str = ""
    """Up to :data:`CONTEXT_LINES` lines of the file before the region."""
    after: str = ""
    """Up to :data:`CONTEXT_LINES` lines after it."""
    base_source: str = "markers"
    ambiguous: bool = False
    """A content line looked like a marker and no stage could tell which split is right."""

    @property
    def has_base(self) -> bool:
        """Whether the common ancestor's text is known."""
        return self.base is not None


@dataclass(frozen=True)
class ConflictedText:
    """A conflicted file: plain text parts and hunks in file order."""

    parts: tuple[str | Hunk, ...]
    newline: str
    """``\\r\\n`` when the file's lines end that way, else ``\\n`` (for text typed by the user)."""
    marker_size: int = DEFAULT_MARKER_SIZE

    @property
    def hunks(self) -> tuple[Hunk, ...]:
        """The hunks in file order."""
        return tuple(p for p in self.parts if isinstance(p, Hunk))

    def original(self) -> str:
        """The file exactly as it was parsed."""
        return self.render({})

    def render(self, results: Mapping[int, str]) -> str:
        """The file with each resolved hunk (``results[index]``) replaced; the others keep their markers."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(results.get(part.index, part.raw))
        return "".join(out)

    def with_hunks(self, hunks: Mapping[int, Hunk]) -> ConflictedText:
        """A copy with some hunks replaced (e.g. once their base is known from the index)."""
        parts = tuple(hunks.get(p.index, p) if isinstance(p, Hunk) else p for p in self.parts)
        return replace(self, parts=parts)


SidesOk = Callable[[str, str], bool]
"""Given a candidate (ours, theirs) split of a region, whether it matches what the two sides hold."""


def marker_kind(line: str, size: int = DEFAULT_MARKER_SIZE) -> str | None:
    """``<``, ``|``, ``=`` or ``>`` when ``line`` (line ending included or not) is a conflict marker line.

    A marker is ``size`` copies of its character, then the end of the line or (except ``=``) a space and a
    label.
    """
    body = line.rstrip("\n").removesuffix("\r")
    if len(body) < size:
        return None
    char = body[0]
    if char not in "<|=>" or body[:size] != char * size:
        return None
    if len(body) == size:
        return char
    if char != "=" and body[size] == " ":
        return char
    return None


def has_markers(text: str, size: int = DEFAULT_MARKER_SIZE) -> bool:
    """Whether ``text`` still holds an opening, base or closing conflict marker line.

    A bare ``=======`` alone does not count: it is also an underline in reStructuredText.
    """
    return any(marker_kind(line, size) in ("<", "|", ">") for line in split_lines(text))


def _label(line: str, size: int) -> str:
    return line.rstrip("\n").removesuffix("\r")[size + 1 :]


def detect_newline(text: str) -> str:
    """``\\r\\n`` when most line endings are CRLF, else ``\\n``."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def parse_conflicts(
    text: str, *, marker_size: int = DEFAULT_MARKER_SIZE, sides_ok: SidesOk | None = None
) -> ConflictedText:
    """Parse ``text`` into plain parts and hunks; raises :class:`MarkerError` for broken markers.

    A region runs from a ``<<<<<<<`` line to the first ``>>>>>>>`` after its ``=======``. When more than
    one ``=======`` (or ``|||||||``) line could split a region, ``sides_ok`` chooses; without it, or when
    no candidate satisfies it, the first is taken and the hunk is flagged ``ambiguous``.
    """
    lines = split_lines(text)
    parts: list[str | Hunk] = []
    plain: list[str] = []
    i = 0
    count = 0
    while i < len(lines):
        kind = marker_kind(lines[i], marker_size)
        if kind != "<":
            if kind in ("|", "=", ">"):
                _check_stray(lines, i, kind, marker_size)
            plain.append(lines[i])
            i += 1
            continue
        end = _region_end(lines, i, marker_size)
        hunk = _parse_region(lines, i, end, count, marker_size, sides_ok)
        if plain:
            parts.append("".join(plain))
            plain = []
        parts.append(hunk)
        count += 1
        i = end + 1
    if plain:
        parts.append("".join(plain))
    parts = _with_context(parts)
    return ConflictedText(tuple(parts), detect_newline(text), marker_size)


def _check_stray(lines: list[str], i: int, kind: str, size: int) -> None:
    """A lone ``>>>>>>>`` with a label, outside any region, means a region lost its opening marker."""
    if kind == ">" and len(lines[i].rstrip("\r\n")) > size:
        raise MarkerError(i, f"closing marker {lines[i].strip()!r} without an opening <<<<<<< line")


def _region_end(lines: list[str], start: int, size: int) -> int:
    """Index of the ``>>>>>>>`` line closing the region opened at ``start``."""
    seen_middle = False
    for j in range(start + 1, len(lines)):
        kind = marker_kind(lines[j], size)
        if kind == "=":
            seen_middle = True
        elif kind == ">" and seen_middle:
            return j
        elif kind == "<" and not seen_middle:
            raise MarkerError(start, "conflict opened here is opened again before its ======= line")
    if not seen_middle:
        raise MarkerError(start, "conflict opened here has no ======= line")
    raise MarkerError(start, "conflict opened here is never closed with >>>>>>>")


def _parse_region(
    lines: list[str], start: int, end: int, index: int, size: int, sides_ok: SidesOk | None
) -> Hunk:
    body = range(start + 1, end)
    middles = [j for j in body if marker_kind(lines[j], size) == "="]
    bases = [j for j in body if marker_kind(lines[j], size) == "|"]
    candidates: list[tuple[int | None, int]] = []
    for middle in middles:
        base_options = [b for b in bases if b < middle] or [None]
        candidates += [(b, middle) for b in base_options]
    chosen = candidates[0]
    ambiguous = len(candidates) > 1
    if ambiguous and sides_ok is not None:
        for base_at, middle in candidates:
            ours_end = base_at if base_at is not None else middle
            if sides_ok("".join(lines[start + 1 : ours_end]), "".join(lines[middle + 1 : end])):
                chosen, ambiguous = (base_at, middle), False
                break
    base_at, middle = chosen
    ours_end = base_at if base_at is not None else middle
    return Hunk(
        index=index,
        ours="".join(lines[start + 1 : ours_end]),
        base="".join(lines[base_at + 1 : middle]) if base_at is not None else None,
        theirs="".join(lines[middle + 1 : end]),
        ours_label=_label(lines[start], size),
        theirs_label=_label(lines[end], size),
        base_label=_label(lines[base_at], size) if base_at is not None else None,
        start_line=start,
        end_line=end,
        raw="".join(lines[start : end + 1]),
        base_source="markers" if base_at is not None else "none",
        ambiguous=ambiguous,
    )


def _with_context(parts: list[str | Hunk]) -> list[str | Hunk]:
    """Fill each hunk's ``before``/``after`` from the neighbouring plain text."""
    out: list[str | Hunk] = []
    for n, part in enumerate(parts):
        if isinstance(part, Hunk):
            prev = parts[n - 1] if n > 0 and isinstance(parts[n - 1], str) else ""
            nxt = parts[n + 1] if n + 1 < len(parts) and isinstance(parts[n + 1], str) else ""
            assert isinstance(prev, str) and isinstance(nxt, str)
            before = "".join(split_lines(prev)[-CONTEXT_LINES:])
            after = "".join(split_lines(nxt)[:CONTEXT_LINES])
            part = replace(part, before=before, after=after)
        out.append(part)
    return out


def split_lines(text: str) -> list[str]:
    """Lines with their endings (``str.splitlines`` also splits on form feeds and the like; this does not)."""
    if not text:
        return []
    pieces = text.split("\n")
    lines = [p + "\n" for p in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines
