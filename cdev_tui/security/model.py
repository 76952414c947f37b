"""What a scan finds and reports: findings (never the secret itself), hygiene issues, the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Finding:
    """A detected secret, without the secret: ``fingerprint`` identifies it, ``masked`` displays it."""

    rule_id: str
    description: str
    severity: Severity
    path: str  # POSIX, relative to the scanned root
    line: int  # 1-based
    column: int  # 1-based, in characters
    fingerprint: str
    masked: str
    root_label: str = ""
    secret_hash: str = ""  # sha1 of the secret, as detect-secrets baselines record it
    commit: str = ""  # where history and diff scans found it
    author_date: str = ""  # ISO 8601, with the commit


@dataclass(frozen=True)
class HygieneIssue:
    """A repository hygiene problem: an exposed env or credential file, or a file too large to scan."""

    check: str
    severity: Severity
    path: str
    message: str
    root_label: str = ""


@dataclass(frozen=True)
class ScanReport:
    """Everything one scan found, with what it could not scan and why."""

    roots: list[str]  # labels, in scan order
    files_scanned: int
    bytes_scanned: int
    findings: list[Finding]
    hygiene: list[HygieneIssue]
    skipped: list[tuple[str, str]]  # (absolute path, reason)
    seconds: float
    cancelled: bool = False
    root_paths: dict[str, str] = field(default_factory=dict)  # label -> absolute root path
    accepted: list[tuple[Finding, str]] = field(default_factory=list)  # set aside by a baseline, with why
    files_from_cache: int = 0  # of files_scanned, answered by the scan cache
    rules: str = "built-in rules"  # where the rules came from


def merge_reports(base: ScanReport, fresh: ScanReport) -> ScanReport:
    """``base`` with everything about ``fresh``'s roots replaced by ``fresh`` (a rescan of a few worktrees).

    File and byte counts stay those of ``base``: they describe the last full scan.
    """
    labels = set(fresh.roots)
    fresh_paths = tuple(path.rstrip("/") + "/" for label, path in fresh.root_paths.items() if label in labels)
    return ScanReport(
        roots=base.roots + [label for label in fresh.roots if label not in base.roots],
        files_scanned=base.files_scanned,
        bytes_scanned=base.bytes_scanned,
        findings=[f for f in base.findings if f.root_label not in labels] + fresh.findings,
        accepted=[a for a in base.accepted if a[0].root_label not in labels] + fresh.accepted,
        hygiene=[h for h in base.hygiene if h.root_label not in labels] + fresh.hygiene,
        skipped=[s for s in base.skipped if not s[0].startswith(fresh_paths)] + fresh.skipped,
        seconds=base.seconds,
        cancelled=fresh.cancelled,
        root_paths={**base.root_paths, **fresh.root_paths},
        rules=fresh.rules,
    )


def combine_reports(reports: list[ScanReport]) -> ScanReport:
    """One report of several scans of different roots (counts and times added up)."""
    first = reports[0]
    return ScanReport(
        roots=[label for r in reports for label in r.roots],
        files_scanned=sum(r.files_scanned for r in reports),
        bytes_scanned=sum(r.bytes_scanned for r in reports),
        findings=[f for r in reports for f in r.findings],
        hygiene=[h for r in reports for h in r.hygiene],
        skipped=[s for r in reports for s in r.skipped],
        seconds=sum(r.seconds for r in reports),
        cancelled=any(r.cancelled for r in reports),
        root_paths={k: v for r in reports for k, v in r.root_paths.items()},
        accepted=[a for r in reports for a in r.accepted],
        files_from_cache=sum(r.files_from_cache for r in reports),
        rules=first.rules,
    )
