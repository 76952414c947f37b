"""The security merge gate: what a merge would add to the target that the baseline does not accept.

A merge is refused when the lines it adds hold secrets, or the lock files it changes pin a version with a
known vulnerability, at or above the configured severity (``security_gate``: off, low, medium, high or
critical). Only what the merge adds counts: a secret or a vulnerable pin already on the target does not
block an agent that did not bring it. Reads only; changes nothing.
"""

from __future__ import annotations

import posixpath
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cdev_tui.gitops import git
from cdev_tui.security.baseline import Suppressions
from cdev_tui.security.history import Change, diff_changes, scan_changes, staged_changes
from cdev_tui.security.model import Finding
from cdev_tui.security.ruleset import DEFAULT_RULESET, RuleSet
from cdev_tui.security.walk import run_git

GATE_LEVELS = ("off", "low", "medium", "high", "critical")
_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
_MANIFESTS = ("pyproject.toml", "package.json")  # read beside a lock file for its direct dependencies


def meets(severity: str, threshold: str) -> bool:
    """Whether ``severity`` is at or above ``threshold``; advisories without a severity count as medium."""
    if threshold == "off":
        return False
    return _RANK.get(severity, _RANK["medium"]) >= _RANK[threshold]


@dataclass(frozen=True)
class GateVerdict:
    """What a merge would add at or above the threshold; it passes when both lists are empty."""

    label: str  # the agent (or what is being merged)
    threshold: str
    findings: tuple[Finding, ...] = ()
    vulnerable: tuple = ()  # VulnerableDependency
    notices: tuple[str, ...] = field(default=())  # e.g. no OSV database: dependencies not checked

    @property
    def passed(self) -> bool:
        return not self.findings and not self.vulnerable

    def describe(self) -> str:
        """One line: what blocks the merge, masked."""
        parts: list[str] = []
        if self.findings:
            shown = ", ".join(f"{f.description} {f.masked} in {f.path}:{f.line}" for f in self.findings[:3])
            more = f" and {len(self.findings) - 3} more" if len(self.findings) > 3 else ""
            count = len(self.findings)
            parts.append(
                f"adds {count} secret{'s' if count != 1 else ''} not in the baseline ({shown}{more})"
            )
        if self.vulnerable:
            shown = ", ".join(
                f"{v.dependency.name} {v.dependency.version}: {v.advisory_id} {v.severity}"
                + (f", fixed in {v.fixed}" if v.fixed else "")
                for v in self.vulnerable[:3]
            )
            more = f" and {len(self.vulnerable) - 3} more" if len(self.vulnerable) > 3 else ""
            count = len(self.vulnerable)
            parts.append(f"pins {count} vulnerable dependenc{'ies' if count != 1 else 'y'} ({shown}{more})")
        reason = " and ".join(parts) if parts else "passes"
        return f"{self.label}: {reason} (security gate: {self.threshold} and above)"


def _added_vulnerabilities(
    repo: Path, changed: Sequence[str], old_rev: str, new_rev: str, osv_db: Path, threshold: str
) -> tuple[tuple, list[str]]:
    """Vulnerable pins in the changed lock files at ``new_rev`` ("" for the index) that ``old_rev`` lacks."""
    from cdev_tui.security.deps import lockfile_kind, scan_dependencies

    locks = [
        path for path in changed if lockfile_kind(path) is not None or posixpath.basename(path) in _MANIFESTS
    ]
    if not locks:
        return (), []
    wanted = set(locks)
    with tempfile.TemporaryDirectory(prefix="cdev-gate-") as scratch:
        roots = []
        for name, rev in (("before", old_rev), ("after", new_rev)):
            root = Path(scratch) / name
            root.mkdir()
            _export(repo, rev, _with_manifests(locks), root)
            roots.append((name, root))
        before = scan_dependencies(roots[:1], osv_db)
        after = scan_dependencies(roots[1:], osv_db)
    known = {
        (v.dependency.path, v.dependency.name, v.dependency.version, v.advisory_id) for v in before.vulnerable
    }
    added = tuple(
        v
        for v in after.vulnerable
        if v.dependency.path in wanted
        and (v.dependency.path, v.dependency.name, v.dependency.version, v.advisory_id) not in known
        and meets(v.severity, threshold)
    )
    return added, list(after.notices)


def _with_manifests(paths: Sequence[str]) -> list[str]:
    folders = {posixpath.dirname(p) for p in paths}
    extra = [posixpath.join(folder, name) if folder else name for folder in folders for name in _MANIFESTS]
    return list(dict.fromkeys([*paths, *extra]))


def _export(repo: Path, rev: str, paths: Sequence[str], root: Path) -> None:
    """Write ``rev:path`` (the index's version when ``rev`` is "") under ``root`` for the paths that exist."""
    for path in paths:
        shown = run_git(repo, "show", f"{rev}:{path}")
        if shown.returncode != 0:
            continue  # not in that version
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(shown.stdout)


@dataclass(frozen=True)
class SecurityGate:
    """The gate as configured for one workspace: the threshold, the rules and what the baseline accepts."""

    threshold: str
    ruleset: RuleSet = DEFAULT_RULESET
    suppressions: Suppressions | None = None
    osv_db: Path | None = None  # None: dependencies are not checked (no database)

    def check_branch(self, repo: Path, target: str, branch: str, label: str) -> GateVerdict:
        """What merging ``branch`` into ``target`` would add (their merge base to the branch's tip)."""
        if self.threshold == "off":
            return GateVerdict(label, self.threshold)
        changes = diff_changes(repo, f"{target}...{branch}")
        base = git(repo, "merge-base", target, branch).stdout.strip()
        return self._verdict(repo, changes, label, base, branch)

    def check_staged(self, worktree: Path, label: str) -> GateVerdict:
        """What concluding the merge in progress in ``worktree`` would add to its HEAD (the index against it)."""
        if self.threshold == "off":
            return GateVerdict(label, self.threshold)
        return self._verdict(worktree, staged_changes(worktree), label, "HEAD", "")

    def _verdict(
        self, repo: Path, changes: Sequence[Change], label: str, old_rev: str, new_rev: str
    ) -> GateVerdict:
        report = scan_changes(repo, changes, label, ruleset=self.ruleset, suppressions=self.suppressions)
        findings = tuple(f for f in report.findings if meets(f.severity, self.threshold))
        vulnerable: tuple = ()
        notices: list[str] = []
        if self.osv_db is not None:
            vulnerable, notices = _added_vulnerabilities(
                repo, [c.path for c in changes], old_rev, new_rev, self.osv_db, self.threshold
            )
            if self.suppressions is not None:
                vulnerable = tuple(self.suppressions.split_vulnerable(vulnerable)[0])
        return GateVerdict(label, self.threshold, findings, vulnerable, tuple(notices))
