"""Merge suggestions on real merges: coverage and precision of the safe ones, beside git's keep-both.

Reads the shared corpus of real conflicted merges (``../shared/data/real-merges-dev.json`` next to the
project: click, flask and werkzeug maintenance merges with what the maintainers committed) and replays it
oldest first, learning each hunk's human result as the merge editor would. Prints hunks seen, hunks with a
safe suggestion (coverage) and how many of those equal the human's result (precision), by source; the
same two figures for keeping both sides, per hunk and as ``git merge-file --union`` on whole files; and
how many whole files our safe suggestions resolve exactly as committed. Run with
``python benchmarks/bench_resolve.py``.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from cdev_tui.conflicts.evaluation import Score, evaluate, hunk_context, load_corpus
from cdev_tui.conflicts.hunks import parse_conflicts
from cdev_tui.conflicts.learned import LearnedStore
from cdev_tui.conflicts.suggestions import best_safe, suggest
from cdev_tui.store import Store

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-merges-dev.json"


def _union_files(cases: list[dict[str, Any]]) -> int:
    """Cases where ``git merge-file --union`` on the three whole files gives exactly the committed file."""
    equal = 0
    with tempfile.TemporaryDirectory(prefix="cdev-union-") as tmp:
        folder = Path(tmp)
        for case in cases:
            for side in ("ours", "base", "theirs"):
                (folder / side).write_text(case[side], encoding="utf-8")
            merged = subprocess.run(
                ["git", "merge-file", "-p", "--union", "ours", "base", "theirs"],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            equal += merged == case["resolved"]
    return equal


def _whole_files(cases: list[dict[str, Any]]) -> tuple[int, int]:
    """(files whose every hunk got a safe suggestion, of those the ones equal to the committed file)."""
    covered = equal = 0
    with tempfile.TemporaryDirectory(prefix="cdev-whole-") as tmp:
        store = Store(Path(tmp) / "learned.db")
        learned = LearnedStore(store)
        try:
            for case in cases:
                parsed = parse_conflicts(case["diff3"])
                results: dict[int, str] = {}
                for hunk in parsed.hunks:
                    chosen = best_safe(suggest(hunk, hunk_context(parsed, hunk.index, case["path"]), learned))
                    if chosen is not None:
                        results[hunk.index] = chosen.result
                if len(results) == len(parsed.hunks):
                    covered += 1
                    equal += parsed.render(results) == case["resolved"]
                for hunk, recorded in zip(parsed.hunks, case["hunks"], strict=False):
                    if recorded.get("resolved") is not None:
                        learned.remember(
                            case["path"], hunk.ours, hunk.base, hunk.theirs, recorded["resolved"], "editor"
                        )
        finally:
            store.close()
    return covered, equal


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def main() -> list[str]:
    """Score the suggestions on the corpus; one line per figure."""
    if not CORPUS.is_file():
        return [f"resolve: skipped, the real-merges corpus {CORPUS} is not here"]
    cases = load_corpus(CORPUS)
    started = time.perf_counter()
    score: Score = evaluate(cases)
    seconds = time.perf_counter() - started
    covered = sum(score.covered.values())
    correct = sum(score.correct.values())
    judged_covered = covered - score._unjudged_covered
    by_source = ", ".join(
        f"{source} {score.correct[source]}/{score.covered[source]}"
        for source in ("trivial", "structural", "learned")
    )
    union_files = _union_files(cases)
    whole_covered, whole_equal = _whole_files(cases)
    lines = [
        f"resolve.real_merges: {len(cases)} conflicted files, {score.hunks} hunks ({score.judged} with a located "
        f"human result), replayed in {seconds:.2f} s",
        f"resolve.safe_suggestions: coverage {covered}/{score.hunks} = {_percent(covered, score.hunks)}, "
        f"precision {correct}/{judged_covered} = {_percent(correct, judged_covered)} (by source: {by_source})",
        f"resolve.precision of safe suggestions: ratio {score.precision:.2f}x of the maintainers' results "
        "(budget >= 1.00x)",
        f"resolve.keep_both (ours then theirs, per hunk): coverage {score.hunks}/{score.hunks} = 100.0%, "
        f"precision {score.union_correct}/{score.judged} = {_percent(score.union_correct, score.judged)}",
        f"resolve.git merge-file --union (whole files): {union_files}/{len(cases)} files equal to the committed one "
        f"= {_percent(union_files, len(cases))}",
        f"resolve.whole files fully covered by safe suggestions: {whole_covered}/{len(cases)}, "
        f"{whole_equal} of them equal to the committed file",
    ]
    for miss in score.misses:
        lines.append(f"resolve.MISS {miss.case} {miss.path} hunk {miss.hunk + 1} ({miss.source})")
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
