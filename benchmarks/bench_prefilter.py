"""Benchmark the compiled keyword prefilter against its pure-Python twin and the engine's former gate passes.

Keywords: those of the current security rules (read at run time, the rule set grows). Input: the ``.py`` files
of this interpreter's site-packages, in path order, concatenated until at least ``MIN_BYTES``. Run with
``python -m benchmarks prefilter``; prints the medians and the speed-ups, the first one against the budget.
"""

from __future__ import annotations

import re
import statistics
import sysconfig
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from cdev_tui.cext import _prefilter, _prefilter_py
from cdev_tui.security import RULES

BUDGET = 10.0
REPEAT = 5
MIN_BYTES = 24_000_000


def source_text(min_bytes: int = MIN_BYTES) -> bytes:
    """Real Python source: site-packages' ``.py`` files in path order, at least ``min_bytes`` of them."""
    parts: list[bytes] = []
    size = 0
    for path in sorted(Path(sysconfig.get_paths()["purelib"]).rglob("*.py")):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        parts.append(data)
        size += len(data)
        if size >= min_bytes:
            return b"".join(parts)
    raise RuntimeError(f"only {size} bytes of .py files in site-packages, {min_bytes} needed")


def rule_keywords() -> list[bytes]:
    """Every keyword of the current rules, in rule order, repeats included (as a rule set would pass them)."""
    return [keyword.encode() for rule in RULES for keyword in rule.keywords]


def gate_passes(keywords: Sequence[bytes]) -> Callable[[bytes], list[tuple[int, int, int, set[int]]]]:
    """The engine's approach before the prefilter: one pass over the lower-cased data per group of keywords
    that share a first byte (``bytes.find`` for a lone keyword, a regex alternation for a group), then the
    hits sorted and grouped by line. Returns the scan; it lower-cases the data itself."""
    owners: dict[bytes, tuple[int, ...]] = {}
    for index, keyword in enumerate(keywords):
        owners[keyword] = (*owners.get(keyword, ()), index)
    groups: dict[bytes, list[bytes]] = {}
    for keyword in owners:
        groups.setdefault(keyword[:1], []).append(keyword)
    gates: list[tuple[bytes | re.Pattern[bytes], dict[bytes, tuple[int, ...]]]] = []
    for members in groups.values():
        searcher: bytes | re.Pattern[bytes] = members[0]
        if len(members) > 1:
            searcher = re.compile(b"|".join(re.escape(k) for k in sorted(members, key=len, reverse=True)))
        gates.append((searcher, {k: owners[k] for k in members}))

    def scan(data: bytes) -> list[tuple[int, int, int, set[int]]]:
        lowered = data.lower()
        hits: list[tuple[int, tuple[int, ...]]] = []
        for searcher, found in gates:
            if isinstance(searcher, bytes):
                pos = lowered.find(searcher)
                while pos >= 0:
                    hits.append((pos, found[searcher]))
                    newline = lowered.find(b"\n", pos)
                    pos = -1 if newline < 0 else lowered.find(searcher, newline + 1)
            else:
                match = searcher.search(lowered)
                while match:
                    hits.append((match.start(), found[match.group()]))
                    match = searcher.search(lowered, match.end())
        hits.sort()
        lines: dict[int, tuple[int, int, int, set[int]]] = {}
        line_no = counted_to = 0
        for pos, indexes in hits:
            line_no += lowered.count(b"\n", counted_to, pos)
            counted_to = pos
            entry = lines.get(line_no)
            if entry is None:
                end = lowered.find(b"\n", pos)
                entry = lines[line_no] = (
                    line_no,
                    lowered.rfind(b"\n", 0, pos) + 1,
                    len(lowered) if end < 0 else end,
                    set(),
                )
            entry[3].update(indexes)
        return list(lines.values())

    return scan


def _median_ms(func: Callable[[], object], repeat: int = REPEAT) -> float:
    """Median wall time of one call over ``repeat`` calls, in milliseconds."""
    runs: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def main() -> list[str]:
    """Time the prefilter compiled vs pure (budgeted) and vs the former gate passes (informational)."""
    keywords = rule_keywords()
    data = source_text()
    compiled_matcher = _prefilter.KeywordMatcher(keywords)
    pure_matcher = _prefilter_py.KeywordMatcher(keywords)
    gates = gate_passes(keywords)

    result = compiled_matcher.candidate_lines(data)
    if result != pure_matcher.candidate_lines(data):
        raise AssertionError("prefilter: compiled and pure results differ")
    # The gate passes find the same lines (they may skip a keyword's repeats within a line, not its line).
    if [line[:3] for line in result] != [line[:3] for line in gates(data)]:
        raise AssertionError("prefilter: the gate passes find other lines")

    compiled = _median_ms(lambda: compiled_matcher.candidate_lines(data))
    pure = _median_ms(lambda: pure_matcher.candidate_lines(data))
    former = _median_ms(lambda: gates(data))
    megabytes = len(data) / 1e6
    line_count = data.count(b"\n") + 1
    distinct = len(set(keywords))
    return [
        f"prefilter: {len(keywords)} keywords ({distinct} distinct) of {len(RULES)} rules, "
        f"{len(result)} candidate lines in {line_count} lines",
        f"prefilter: compiled {compiled:.1f} ms, pure {pure:.1f} ms on {megabytes:.1f} MB "
        f"(median of {REPEAT}), ratio {pure / compiled:.1f}x compiled vs pure (budget >= {BUDGET:g}x)",
        f"prefilter: compiled {compiled:.1f} ms, per-group gate passes over data.lower() {former:.1f} ms "
        f"on {megabytes:.1f} MB (median of {REPEAT}), {former / compiled:.1f}x (the engine's former approach; "
        "informational, no budget)",
    ]


if __name__ == "__main__":
    for line in main():
        print(line)
