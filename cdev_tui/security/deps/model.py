"""What a dependency scan reads and reports: pinned dependencies, the vulnerable ones, the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Ecosystem = Literal["PyPI", "npm"]
DepSeverity = Literal["critical", "high", "medium", "low", "unknown"]

ECOSYSTEMS: tuple[Ecosystem, ...] = ("PyPI", "npm")
SEVERITY_RANK: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3, "unknown": 4}


@dataclass(frozen=True)
class Dependency:
    """One pinned package version found in a lock file or manifest."""

    ecosystem: Ecosystem
    name: str  # normalised for the ecosystem (PEP 503 for PyPI)
    version: str
    path: str  # POSIX, relative to the scanned root
    line: int  # 1-based, best effort (1 when the format does not tell)
    direct: bool  # declared by the project itself, not only pulled in by another package
    root_label: str = ""


@dataclass(frozen=True)
class VulnerableDependency:
    """A dependency that an OSV advisory says is affected, with the version that fixes it."""

    dependency: Dependency
    advisory_id: str  # the id OSV gives (GHSA-…, PYSEC-…, CVE-…, MAL-…)
    aliases: tuple[str, ...]  # the other ids of the same vulnerability
    summary: str
    severity: DepSeverity
    fixed: str | None  # the lowest fixed version above the installed one, None when none is known
    url: str


@dataclass(frozen=True)
class DepsReport:
    """Everything one dependency scan found, with the files it could not read and why."""

    roots: list[str]  # labels, in scan order
    dependencies: list[Dependency]
    vulnerable: list[VulnerableDependency]  # worst severity first
    unpinned: int  # requirements with no exact version: they cannot be checked
    problems: list[tuple[str, str]]  # (absolute path, reason): unreadable lock files, corrupt advisories
    db_present: bool
    db_dir: str = ""
    notices: list[str] = field(default_factory=list)  # e.g. no OSV database, no advisories for npm
    files_read: int = 0  # distinct lock-file contents parsed (worktrees of one repository share them)
    seconds: float = 0.0
    accepted: list[tuple[VulnerableDependency, str]] = field(default_factory=list)  # by a baseline, with why

    def accepting(self, suppressions: Any) -> DepsReport:
        """This report with the advisories a baseline (:class:`~cdev_tui.security.baseline.Suppressions`)
        accepts moved from ``vulnerable`` to ``accepted``."""
        reported, accepted = suppressions.split_vulnerable(self.vulnerable)
        return replace(self, vulnerable=reported, accepted=[*self.accepted, *accepted])
