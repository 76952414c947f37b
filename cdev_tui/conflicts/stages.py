"""Conflicted files as git's index holds them: what kind of conflict each is, and the base of every hunk.

Text conflicts are parsed from the working file (:mod:`.hunks`); the index stages (``:1:`` base, ``:2:``
ours, ``:3:`` theirs) settle ambiguous markers and supply the base when the file was written without diff3
sections. Binary files, symlinks, submodules, modify/delete and rename conflicts are never parsed as text:
they are listed with the actions that can settle them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cdev_tui.conflicts.hunks import (
    DEFAULT_MARKER_SIZE,
    ConflictedText,
    Hunk,
    MarkerError,
    parse_conflicts,
    split_lines,
)
from cdev_tui.conflicts.operation import ConflictEntry
from cdev_tui.errors import CdevError
from cdev_tui.gitops import git, parse_cat_file_batch

SYMLINK, SUBMODULE = "120000", "160000"
ACTION_TITLES = {
    "ours": "take ours",
    "theirs": "take theirs",
    "keep": "keep the file",
    "delete": "delete the file",
}

KIND_HELP = {
    "text": "content conflict",
    "binary": "binary file: take one side",
    "symlink": "symbolic link: take one side",
    "submodule": "submodule commit: take one side",
    "modify/delete": "we changed it, they deleted it",
    "delete/modify": "we deleted it, they changed it",
    "added by us": "only we have it (a rename on the other side?)",
    "added by them": "only they have it (a rename on our side?)",
    "deleted by both": "both sides deleted or renamed it away",
    "undecodable": "not valid UTF-8 text: take one side or edit it in $EDITOR",
    "broken markers": "the conflict markers are broken",
    "missing": "the file is gone from the worktree",
}


@dataclass(frozen=True)
class FileConflict:
    """One conflicted path: its kind, the actions that settle it, and for text its parsed hunks."""

    path: str
    kind: str
    code: str
    entry: ConflictEntry
    actions: tuple[str, ...]
    text: ConflictedText | None = None
    problem: str = ""
    """Why a text file could not be parsed (broken markers, invalid UTF-8, a missing file)."""
    stage_texts: tuple[str | None, str | None, str | None] = (None, None, None)
    """The base, ours and theirs blobs as text (None when missing or binary)."""

    @property
    def is_text(self) -> bool:
        """Whether the file is resolved hunk by hunk."""
        return self.kind == "text" and self.text is not None

    @property
    def hunks(self) -> tuple[Hunk, ...]:
        """The hunks of a text conflict (none for the other kinds)."""
        return self.text.hunks if self.text is not None else ()

    def describe(self) -> str:
        """The kind in words, with the problem when there is one."""
        return self.problem or KIND_HELP.get(self.kind, self.kind)


def read_blobs(cwd: Path, oids: Iterable[str]) -> dict[str, bytes]:
    """The content of each object id, in one ``git cat-file --batch``."""
    wanted = list(dict.fromkeys(oids))
    if not wanted:
        return {}
    proc = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=cwd,
        input="".join(f"{oid}\n" for oid in wanted).encode(),
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise CdevError(f"{cwd}: git cat-file failed: {proc.stderr.decode(errors='replace').strip()}")
    return parse_cat_file_batch(proc.stdout, wanted)


def marker_sizes(worktree: Path, paths: Sequence[str]) -> dict[str, int]:
    """The ``conflict-marker-size`` attribute of each path (7 unless .gitattributes says otherwise)."""
    sizes = dict.fromkeys(paths, DEFAULT_MARKER_SIZE)
    if not paths:
        return sizes
    result = git(
        worktree,
        "check-attr",
        "-z",
        "--stdin",
        "conflict-marker-size",
        input="".join(f"{p}\0" for p in paths),
        ok_codes=tuple(range(-255, 256)),
        strip=False,
    )
    tokens = result.stdout.split("\0")
    for i in range(0, len(tokens) - 2, 3):
        path, value = tokens[i], tokens[i + 2]
        if value.isdigit() and int(value) > 0:
            sizes[path] = int(value)
    return sizes


def _is_binary(data: bytes | None) -> bool:
    return data is not None and b"\0" in data


def _decode(data: bytes | None) -> str | None:
    if data is None or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def classify(
    worktree: Path, entries: Sequence[ConflictEntry], blobs: dict[str, bytes] | None = None
) -> list[FileConflict]:
    """A :class:`FileConflict` for each unmerged entry, text files parsed with their bases filled in."""
    if blobs is None:
        blobs = read_blobs(
            worktree,
            [s.oid for e in entries for s in e.stages.values() if s.mode not in (SUBMODULE, SYMLINK)],
        )
    sizes = marker_sizes(worktree, [e.path for e in entries])
    return [_classify_one(worktree, entry, blobs, sizes[entry.path]) for entry in entries]


def _classify_one(worktree: Path, entry: ConflictEntry, blobs: dict[str, bytes], size: int) -> FileConflict:
    code = entry.code
    modes = {s.mode for s in entry.stages.values()}
    data = [blobs.get(entry.stages[n].oid) if n in entry.stages else None for n in (1, 2, 3)]
    texts: tuple[str | None, str | None, str | None] = (_decode(data[0]), _decode(data[1]), _decode(data[2]))
    conflict = FileConflict(entry.path, "text", code, entry, ("ours", "theirs"), stage_texts=texts)
    side_kinds = {
        "UD": ("modify/delete", ("keep", "delete")),
        "DU": ("delete/modify", ("keep", "delete")),
        "AU": ("added by us", ("keep", "delete")),
        "UA": ("added by them", ("keep", "delete")),
        "DD": ("deleted by both", ("delete",)),
    }
    if code in side_kinds:
        kind, actions = side_kinds[code]
        return replace(conflict, kind=kind, actions=actions)
    if SUBMODULE in modes:
        return replace(conflict, kind="submodule")
    if SYMLINK in modes:
        return replace(conflict, kind="symlink")
    if any(_is_binary(d) for d in data):
        return replace(conflict, kind="binary")
    path = worktree / entry.path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return replace(conflict, kind="missing", problem="the file is gone from the worktree: take a side")
    except IsADirectoryError:
        return replace(conflict, kind="missing", problem="a directory stands where the file should be")
    if b"\0" in raw:
        return replace(conflict, kind="binary", problem="the working file holds NUL bytes: take one side")
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return replace(
            conflict,
            kind="undecodable",
            problem=f"not valid UTF-8 at byte {exc.start}: take one side or edit it in $EDITOR",
        )
    try:
        parsed = parse_conflicts(content, marker_size=size, sides_ok=_sides_ok(texts[1], texts[2]))
    except MarkerError as exc:
        return replace(conflict, kind="broken markers", problem=f"broken conflict markers: {exc}")
    return replace(conflict, text=align_with_stages(parsed, *texts))


def _contains_lines(haystack: str | None, needle: str) -> bool:
    return haystack is not None and (not needle or ("\n" + needle) in ("\n" + haystack))


def _sides_ok(ours: str | None, theirs: str | None):
    if ours is None or theirs is None:
        return None
    return lambda o, t: _contains_lines(ours, o) and _contains_lines(theirs, t)


# --- bases from the index ---------------------------------------------------------------------------------


def align_with_stages(
    text: ConflictedText, base: str | None, ours: str | None, theirs: str | None
) -> ConflictedText:
    """Fill each hunk's missing base from the stage texts; undo the newline git adds at a final hunk.

    A hunk's base is the part of ``base`` that its ours and theirs sections replace, found by locating each
    section in its side's text and mapping it back to ``base`` through a line diff. Hunks whose sections
    cannot be found keep ``base=None``.
    """
    if ours is None or theirs is None:
        return text
    base_text = base if base is not None else ""
    base_lines = split_lines(base_text)
    ours_map = _SideMap(base_lines, split_lines(ours))
    theirs_map = _SideMap(base_lines, split_lines(theirs))
    changed: dict[int, Hunk] = {}
    ours_at = theirs_at = 0  # line positions in the ours/theirs texts, following the parts
    last = text.parts[-1] if text.parts else None
    for part in text.parts:
        if isinstance(part, str):
            count = len(split_lines(part))
            ours_at += count
            theirs_at += count
            continue
        hunk = part
        o_span = ours_map.locate(hunk.ours, ours_at)
        t_span = theirs_map.locate(hunk.theirs, theirs_at)
        ours_at = o_span[1] if o_span else ours_at + len(split_lines(hunk.ours))
        theirs_at = t_span[1] if t_span else theirs_at + len(split_lines(hunk.theirs))
        if hunk.base is None and o_span and t_span:
            b1, b2 = ours_map.base_range(*o_span)
            c1, c2 = theirs_map.base_range(*t_span)
            start, end = _trim_to_context(base_lines, min(b1, c1), max(b2, c2), hunk)
            hunk = replace(hunk, base="".join(base_lines[start:end]), base_source="index")
            if base is None:
                hunk = replace(hunk, base_label="(added on both sides)")
        if part is last:
            hunk = _final_newlines(hunk, base, ours, theirs)
        if hunk is not part:
            changed[hunk.index] = hunk
    return text.with_hunks(changed) if changed else text


def _trim_to_context(base_lines: list[str], start: int, end: int, hunk: Hunk) -> tuple[int, int]:
    """Narrow ``[start, end)`` so that the unchanged lines around the hunk sit right next to it in the base.

    Two line diffs can align a repeated line differently from git's; the context lines around a region are
    shared by all three sides, so the base must hold them right before and right after its section. The
    smallest shift that makes that true is taken (none when it already holds or no shift does).
    """
    after = split_lines(hunk.after)
    if after:
        for k in range(end - start + 1):
            if base_lines[end - k : end - k + len(after)] == after:
                end -= k
                break
    before = split_lines(hunk.before)
    if before:
        for k in range(end - start + 1):
            if start + k >= len(before) and base_lines[start + k - len(before) : start + k] == before:
                start += k
                break
    return start, end


def _final_newlines(hunk: Hunk, base: str | None, ours: str, theirs: str) -> Hunk:
    """At the end of a file, a side without a final newline gets one before the next marker: take it off."""

    def trim(section: str | None, full: str | None) -> str | None:
        newline_added = section and full and section.endswith("\n") and not full.endswith("\n")
        return section[:-1] if newline_added and full.endswith(section[:-1]) else section

    return replace(
        hunk,
        ours=trim(hunk.ours, ours) or "",
        theirs=trim(hunk.theirs, theirs) or "",
        base=trim(hunk.base, base),
    )


class _SideMap:
    """Where a side's lines came from in the base, by a line diff."""

    def __init__(self, base_lines: list[str], side_lines: list[str]) -> None:
        from cdev_tui.cext.diff import line_opcodes

        self.side = side_lines
        self.opcodes = line_opcodes(base_lines, side_lines)

    def locate(self, section: str, expected: int) -> tuple[int, int] | None:
        """The line span of ``section`` in the side, the occurrence nearest ``expected``."""
        lines = split_lines(section)
        n = len(lines)
        if n == 0:
            return (expected, expected) if expected <= len(self.side) else None
        best: tuple[int, int] | None = None
        first = lines[0]
        for start in range(len(self.side) - n + 1):
            if self.side[start] == first and self.side[start : start + n] == lines:
                if best is None or abs(start - expected) < abs(best[0] - expected):
                    best = (start, start + n)
                if start >= expected:
                    break
        return best

    def base_range(self, start: int, end: int) -> tuple[int, int]:
        """The base lines that the side's lines ``[start, end)`` replace (changed blocks taken whole)."""
        low: int | None = None
        high: int | None = None
        for tag, i1, i2, j1, j2 in self.opcodes:
            if tag == "equal":
                lo, hi = max(start, j1), min(end, j2)
                if lo < hi:
                    low = i1 + (lo - j1) if low is None else min(low, i1 + (lo - j1))
                    high = i1 + (hi - j1) if high is None else max(high, i1 + (hi - j1))
                continue
            touches = (
                (j1 < end and start < j2)
                or (j1 == j2 and start <= j1 <= end)
                or (start == end and j1 <= start <= j2)
            )
            if touches:
                low = i1 if low is None else min(low, i1)
                high = i2 if high is None else max(high, i2)
        if low is None or high is None:
            # Nothing maps: the section is a pure insertion; place it after the base lines before it.
            position = self._base_position(start)
            return position, position
        return low, high

    def _base_position(self, side_line: int) -> int:
        for tag, i1, _i2, j1, j2 in self.opcodes:
            if j1 <= side_line < j2 or (j1 == j2 == side_line):
                return i1 + (side_line - j1) if tag == "equal" else i1
        return self.opcodes[-1][2] if self.opcodes else 0
