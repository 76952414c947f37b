"""Suggestions for a hunk, each with its source, a confidence and whether it is provably right.

Sources, safest first:

- ``trivial``: both sides made the same change, or only one side changed the text (always right). A
  difference in whitespace only is offered too, but never as safe: people keep either side.
- ``structural``: both sides only added distinct entries to an unordered block (:mod:`.structural`);
  safe. Two edits on different lines of the hunk combined is offered as well, not safe.
- ``learned``: what the user wrote for this very conflict before (:mod:`.learned`); safe.
- ``llm``: asked for on demand (:func:`llm_suggestion`); never safe, never applied without a key press.

Only safe suggestions are applied in bulk (``A`` in the editor, ``--apply`` on the command line).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cdev_tui.conflicts import structural
from cdev_tui.conflicts.hunks import Hunk, split_lines

if TYPE_CHECKING:
    from cdev_tui.conflicts.learned import LearnedStore

SAFE_SOURCES = ("trivial", "structural", "learned")
SOURCES = (*SAFE_SOURCES, "llm")
_RANK = {"trivial": 0, "learned": 1, "structural": 2, "llm": 3}
"""Among safe suggestions the user's own earlier answer comes before a structural combination."""


@dataclass(frozen=True)
class Suggestion:
    """A proposed result for one hunk."""

    source: str
    result: str
    confidence: float
    safe: bool
    reason: str
    learned_key: str | None = None
    learned_at: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The suggestion as the CLI prints it."""
        data: dict[str, Any] = {
            "source": self.source,
            "confidence": self.confidence,
            "safe": self.safe,
            "reason": self.reason,
            "result": self.result,
        }
        if self.learned_at is not None:
            data["learned_at"] = self.learned_at
        return data


@dataclass(frozen=True)
class HunkContext:
    """What a suggestion may look at beyond the hunk: the file's path and the text around the hunk."""

    path: str
    prefix: str = ""
    """The file above the hunk."""
    suffix: str = ""
    """The file below the hunk."""
    file_with: Callable[[str], str] | None = None
    """The whole file with this hunk resolved to the given text (other hunks as ours), for parse checks."""


_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def trivial(hunk: Hunk) -> list[Suggestion]:
    """The trivial rules (see the module docstring)."""
    ours, base, theirs = hunk.ours, hunk.base, hunk.theirs
    if ours == theirs:
        return [Suggestion("trivial", ours, 1.0, True, "both sides made the same change")]
    if base is not None and ours == base:
        return [Suggestion("trivial", theirs, 1.0, True, "only theirs changed this: take theirs")]
    if base is not None and theirs == base:
        return [Suggestion("trivial", ours, 1.0, True, "only ours changed this: take ours")]
    found: list[Suggestion] = []
    if _squash(ours) == _squash(theirs):
        found.append(
            Suggestion("trivial", ours, 0.5, False, "the sides differ in whitespace only: keeping ours")
        )
    elif base is not None and _squash(ours) == _squash(base):
        found.append(Suggestion("trivial", theirs, 0.5, False, "ours only changed whitespace: taking theirs"))
    elif base is not None and _squash(theirs) == _squash(base):
        found.append(Suggestion("trivial", ours, 0.5, False, "theirs only changed whitespace: keeping ours"))
    return found


def combined_edits(hunk: Hunk) -> str | None:
    """Both sides' edits applied together when they change different lines of the base; None otherwise.

    Edits that touch (one ends where the other starts) still combine; edits over the same base lines, or two
    insertions at the same place, do not. Git keeps touching edits apart on purpose: this is a proposal,
    never a safe one.
    """
    if hunk.base is None:
        return None
    from cdev_tui.cext.diff import line_opcodes

    base, ours, theirs = split_lines(hunk.base), split_lines(hunk.ours), split_lines(hunk.theirs)
    edits = [
        (i1, i2, side[j1:j2], n)
        for n, side in enumerate((ours, theirs))
        for tag, i1, i2, j1, j2 in line_opcodes(base, side)
        if tag != "equal"
    ]
    edits.sort(key=lambda e: (e[0], e[1], e[3]))
    for (a1, a2, _, x), (b1, b2, _, y) in itertools.pairwise(edits):
        if x == y:
            continue
        same_point = a1 == a2 == b1 == b2
        if same_point or (b1 < a2) or (a1 == a2 and a1 > b1) or (b1 == b2 and a1 < b1 < a2):
            return None
    out: list[str] = []
    position = 0
    for start, end, lines, _ in edits:
        out += base[position:start] + lines
        position = end
    out += base[position:]
    result = "".join(out)
    return None if result in (hunk.ours, hunk.theirs) else result


def structural_suggestions(hunk: Hunk, context: HunkContext) -> list[Suggestion]:
    """The safe block combination when it applies, else the (unsafe) combination of separate edits."""
    if hunk.base is None:
        return []
    combined = structural.combine(
        context.path,
        hunk.base,
        hunk.ours,
        hunk.theirs,
        prefix=context.prefix,
        suffix=context.suffix,
        file_with=context.file_with,
    )
    if combined is not None:
        reason = f"both sides only added {combined.block}: keep both ({combined.order})"
        return [Suggestion("structural", combined.result, 1.0, True, reason)]
    merged = combined_edits(hunk)
    if merged is None:
        return []
    parser = structural.FILE_PARSERS.get(_suffix(context.path))
    if parser is not None and (context.file_with is None or not parser(context.file_with(merged))):
        return []
    return [
        Suggestion(
            "structural",
            merged,
            0.6,
            False,
            "the two edits touch different lines: apply both (not proven: check they fit together)",
        )
    ]


def _suffix(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def learned_suggestions(hunk: Hunk, learned: LearnedStore | None) -> list[Suggestion]:
    """What was written for this conflict before."""
    if learned is None:
        return []
    found = learned.lookup(hunk.ours, hunk.base, hunk.theirs)
    if found is None:
        return []
    how = {
        "exact": "you resolved this same conflict before",
        "swapped": "you resolved this conflict before, met from the other side",
        "sides": "git rerere recorded this resolution",
    }[found.match]
    where = f" ({found.path})" if found.path else ""
    return [
        Suggestion(
            "learned",
            found.result,
            1.0,
            True,
            how + where,
            learned_key=found.key,
            learned_at=found.created,
        )
    ]


def suggest(hunk: Hunk, context: HunkContext, learned: LearnedStore | None = None) -> list[Suggestion]:
    """Every offline suggestion for ``hunk``: safe ones first, duplicates (same result) folded."""
    found = [*trivial(hunk), *learned_suggestions(hunk, learned)]
    if not any(s.safe for s in found):
        found += structural_suggestions(hunk, context)
    found.sort(key=lambda s: (not s.safe, -s.confidence, _RANK[s.source]))
    unique: dict[str, Suggestion] = {}
    for suggestion in found:
        unique.setdefault(suggestion.result, suggestion)
    return list(unique.values())


def best_safe(suggestions: list[Suggestion], sources: tuple[str, ...] = SAFE_SOURCES) -> Suggestion | None:
    """The safe suggestion from one of ``sources``; None when there is none or two safe ones disagree."""
    safe = [s for s in suggestions if s.safe and s.source in sources]
    if not safe or any(s.result != safe[0].result for s in safe):
        return None
    return safe[0]
