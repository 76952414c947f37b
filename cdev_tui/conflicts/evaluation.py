"""Judge the suggestions on real merges: how many hunks get a safe suggestion, and how many of those match
what the maintainers committed.

A corpus is a JSON file of cases, each one conflicted file of a real two-parent merge: the file as git left
it (diff3 markers), the three sides, and per hunk what the human wrote. Cases are replayed in merge-date
order; after each hunk the human's answer is written to a learned store, as the merge editor does, so a
conflict that comes back later is judged with what was learned before it. ``git merge-file --union`` (keep
both sides) is scored on the same hunks for comparison.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdev_tui.conflicts.hunks import ConflictedText, parse_conflicts
from cdev_tui.conflicts.learned import LearnedStore
from cdev_tui.conflicts.suggestions import HunkContext, best_safe, suggest
from cdev_tui.errors import CdevError


@dataclass(frozen=True)
class Miss:
    """A safe suggestion that differs from what the human wrote."""

    case: str
    path: str
    hunk: int
    source: str
    suggested: str
    human: str


@dataclass
class Score:
    """Coverage and precision of the safe suggestions, by source, beside keep-both."""

    hunks: int = 0
    judged: int = 0
    """Hunks whose human result could be located (the others count for coverage only)."""
    covered: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    union_correct: int = 0
    misses: list[Miss] = field(default_factory=list)
    parse_errors: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        """Share of hunks that got a safe suggestion."""
        return sum(self.covered.values()) / self.hunks if self.hunks else 0.0

    @property
    def precision(self) -> float:
        """Share of judged safe suggestions equal to the human's result (1.0 when none was judged)."""
        judged = sum(self.covered.values()) - self._unjudged_covered
        return sum(self.correct.values()) / judged if judged else 1.0

    @property
    def union_precision(self) -> float:
        """Share of judged hunks where keeping both sides (ours then theirs) is what the human wrote."""
        return self.union_correct / self.judged if self.judged else 0.0

    _unjudged_covered: int = 0


def _same(a: str, b: str) -> bool:
    return a == b or a.replace("\r\n", "\n") == b.replace("\r\n", "\n")


def load_corpus(path: Path) -> list[dict[str, Any]]:
    """The cases of a corpus file, oldest merge first; raises CdevError for a file that is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        cases = data["cases"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CdevError(f"{path}: not a real-merges corpus ({exc})") from None
    return sorted(cases, key=lambda c: (c.get("merge_date", ""), c.get("id", "")))


def hunk_context(parsed: ConflictedText, index: int, path: str) -> HunkContext:
    """The text around one hunk of a parsed file, other hunks taken as ours."""
    ours_results = {h.index: h.ours for h in parsed.hunks}
    prefix: list[str] = []
    suffix: list[str] = []
    seen = False
    for part in parsed.parts:
        text = part if isinstance(part, str) else part.ours
        if not isinstance(part, str) and part.index == index:
            seen = True
            continue
        (suffix if seen else prefix).append(text)

    def file_with(result: str) -> str:
        return parsed.render({**ours_results, index: result})

    return HunkContext(path, "".join(prefix), "".join(suffix), file_with)


def evaluate(cases: Iterable[Mapping[str, Any]], learned: LearnedStore | None = None) -> Score:
    """Replay ``cases`` (oldest first), scoring each hunk's safe suggestion against the human's result."""
    score = Score()
    with tempfile.TemporaryDirectory(prefix="cdev-eval-") as tmp:
        owned = None
        if learned is None:
            from cdev_tui.store import Store

            owned = Store(Path(tmp) / "learned.db")
            learned = LearnedStore(owned)
        try:
            for case in cases:
                _evaluate_case(case, learned, score)
        finally:
            if owned is not None:
                owned.close()
    return score


def _evaluate_case(case: Mapping[str, Any], learned: LearnedStore, score: Score) -> None:
    name, path = str(case.get("id", "?")), str(case["path"])
    parsed = parse_conflicts(case["diff3"])
    truth = case["hunks"]
    if len(parsed.hunks) != len(truth):
        score.parse_errors.append(f"{name}: {len(parsed.hunks)} hunks parsed, {len(truth)} recorded")
        return
    for hunk, recorded in zip(parsed.hunks, truth, strict=True):
        score.hunks += 1
        human = recorded.get("resolved")
        chosen = best_safe(suggest(hunk, hunk_context(parsed, hunk.index, path), learned))
        if human is not None:
            score.judged += 1
            score.union_correct += _same(hunk.ours + hunk.theirs, human)
        if chosen is not None:
            score.covered[chosen.source] += 1
            if human is None:
                score._unjudged_covered += 1
            elif _same(chosen.result, human):
                score.correct[chosen.source] += 1
            else:
                score.misses.append(Miss(name, path, hunk.index, chosen.source, chosen.result, human))
        if human is not None:
            learned.remember(path, hunk.ours, hunk.base, hunk.theirs, human, "editor")
