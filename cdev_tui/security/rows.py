"""What the Security pane lists, Textual-free: findings deduplicated by fingerprint (one row per secret, every
place it appears), vulnerable dependencies deduplicated by package, version and advisory; filtered by text
and severity and grouped by agent, severity or rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cdev_tui.security.model import Finding

GROUPINGS = ("agent", "severity", "rule", "none")
SEVERITY_FLOORS = ("all", "medium", "high")
"""The severity filter: everything, medium and above, high only."""
_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "unknown": 4}


def at_or_above(severity: str, floor: str) -> bool:
    """Whether ``severity`` passes the filter ``floor`` (a :data:`SEVERITY_FLOORS` or a severity name)."""
    return floor == "all" or _RANK.get(severity, 4) <= _RANK.get(floor, 4)


@dataclass(frozen=True)
class Place:
    """One place a secret appears."""

    root_label: str
    path: str
    line: int
    column: int
    commit: str = ""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class FindingRow:
    """One secret (by fingerprint) with every place it appears, first place first."""

    fingerprint: str
    rule_id: str
    description: str
    severity: str
    masked: str
    places: tuple[Place, ...]
    findings: tuple[Finding, ...]

    @property
    def agents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.root_label for p in self.places))

    @property
    def first(self) -> Place:
        return self.places[0]

    def group_key(self, grouping: str) -> str:
        if grouping == "agent":
            return ", ".join(self.agents) or "-"
        if grouping == "severity":
            return self.severity
        if grouping == "rule":
            return self.description
        return ""

    def matches(self, text: str) -> bool:
        """Case-insensitive search over rule, description, agents and paths (never the secret)."""
        needle = text.lower()
        haystack = [
            self.rule_id,
            self.description,
            self.severity,
            *self.agents,
            *(p.path for p in self.places),
        ]
        return any(needle in item.lower() for item in haystack)


def dedupe(findings: Iterable[Finding]) -> list[FindingRow]:
    """One row per fingerprint, worst severity first, then by first place."""
    by_fp: dict[str, list[Finding]] = {}
    for finding in findings:
        by_fp.setdefault(finding.fingerprint, []).append(finding)
    rows: list[FindingRow] = []
    for fp, same in by_fp.items():
        same.sort(key=lambda f: (f.root_label != "main", f.root_label, f.path, f.line))
        head = same[0]
        places = tuple(Place(f.root_label, f.path, f.line, f.column, f.commit) for f in same)
        rows.append(
            FindingRow(fp, head.rule_id, head.description, head.severity, head.masked, places, tuple(same))
        )
    rows.sort(key=lambda r: (_RANK.get(r.severity, 4), r.first.root_label, r.first.path, r.first.line))
    return rows


def grouped(
    rows: Sequence[FindingRow], grouping: str = "agent", text: str = "", floor: str = "all"
) -> list[tuple[str, list[FindingRow]]]:
    """The rows that pass the search and severity filter, in groups (one unnamed group for ``none``)."""
    kept = [r for r in rows if at_or_above(r.severity, floor) and (not text or r.matches(text))]
    groups: dict[str, list[FindingRow]] = {}
    for row in kept:
        groups.setdefault(row.group_key(grouping), []).append(row)
    if grouping == "severity":
        return sorted(groups.items(), key=lambda item: _RANK.get(item[0], 4))
    return sorted(groups.items(), key=lambda item: (item[0] != "main", item[0]))


@dataclass(frozen=True)
class DependencyRow:
    """One vulnerable package version (by advisory) with every lock file and worktree it appears in."""

    ecosystem: str
    package: str
    version: str
    advisory: str
    severity: str
    fixed: str | None
    summary: str
    places: tuple[Place, ...]

    @property
    def agents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.root_label for p in self.places))


def dependency_rows(vulnerable: Iterable[Any]) -> list[DependencyRow]:
    """Vulnerable dependencies of a deps report, one row per package version and advisory, worst first."""
    by_key: dict[tuple[str, str, str, str], list[Any]] = {}
    for vuln in vulnerable:
        dep = vuln.dependency
        by_key.setdefault((dep.ecosystem, dep.name, dep.version, vuln.advisory_id), []).append(vuln)
    rows = []
    for (ecosystem, name, version, advisory), same in by_key.items():
        head = same[0]
        places = tuple(
            Place(v.dependency.root_label, v.dependency.path, v.dependency.line, 1)
            for v in sorted(same, key=lambda v: (v.dependency.root_label != "main", v.dependency.root_label))
        )
        rows.append(
            DependencyRow(ecosystem, name, version, advisory, head.severity, head.fixed, head.summary, places)
        )
    rows.sort(key=lambda r: (_RANK.get(r.severity, 4), r.package, r.version, r.advisory))
    return rows
