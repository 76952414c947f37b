"""The workspace service's security half: scans, the dependency check, the merge gate and the baseline.

Textual-free. :class:`~cdev_tui.service.WorkspaceService` inherits it; everything here needs only the
service's ``paths``, ``store``, ``objects``, ``config`` and clocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdev_tui.errors import CdevError

if TYPE_CHECKING:
    from cdev_tui.config import Config
    from cdev_tui.object_cache import ObjectCache
    from cdev_tui.store import Store
    from cdev_tui.workspace import WorkspacePaths, WorkspaceSnapshot

Cancel = Callable[[], bool]
Progress = Callable[[int, int], None]


class SecurityService:
    """Secret scans, dependency advisories, the merge gate and accepting findings into the baseline."""

    config: Config
    wall_clock: Callable[[], float]
    timer: Callable[[], float]
    paths: WorkspacePaths
    store: Store
    objects: ObjectCache

    def security_setup(self, config: Path | None = None, baseline: Path | None = None) -> tuple[Any, Any]:
        """The rule set (``config``, else the main worktree's ``.gitleaks.toml``, else built-in) and what
        accepts findings: the main worktree's baselines (an agent cannot accept its own findings), plus
        ``baseline`` when given."""
        from cdev_tui.security.baseline import suppressions_for
        from cdev_tui.security.config import ruleset_for

        repo = self.paths.repo
        return ruleset_for(repo, config), suppressions_for(repo, baseline)

    def scan(
        self,
        snapshot: WorkspaceSnapshot,
        cancel: Cancel | None = None,
        progress: Progress | None = None,
        agents: set[str] | None = None,
        *,
        config: Path | None = None,
        baseline: Path | None = None,
        use_cache: bool = True,
        setup: tuple[Any, Any] | None = None,
    ):
        """Secret scan and hygiene checks over the main worktree and every agent worktree (or only ``agents``).

        Unchanged files are answered from the scan cache in the store; findings the main worktree's baseline
        accepts are set aside with the reason. ``config`` and ``baseline`` are as for :meth:`security_setup`;
        ``setup`` is its result when the caller has it already.
        """
        from cdev_tui.security import scan_roots
        from cdev_tui.security.cache import ScanCache

        roots = self._security_roots(snapshot, agents)
        ruleset, suppressions = setup or self.security_setup(config, baseline)
        started = self.timer()
        report = scan_roots(
            roots,
            cancel=cancel,
            progress=progress,
            ruleset=ruleset,
            cache=ScanCache(self.store) if use_cache else None,
            suppressions=suppressions,
        )
        report = replace(report, seconds=self.timer() - started)
        self.store.record_timing(
            "security.scan",
            report.seconds,
            f"{report.files_scanned} files, {report.bytes_scanned} bytes, {report.files_from_cache} cached",
        )
        self._count_blob_cache(report)
        return report

    def _count_blob_cache(self, report: Any) -> None:
        """The scanner keeps its own cache (findings by blob id); its hits join the shared counts."""
        if report.files_scanned:
            hits = report.files_from_cache
            self.objects.count("scan.blob", hits=hits, misses=report.files_scanned - hits)
            self.objects.flush()

    def scan_history(self, cancel: Cancel | None = None, progress: Progress | None = None):
        """Every commit reachable from any ref of the repository, each (blob, path) scanned once; findings
        carry the commit, its author date and the path. Blobs seen before come from the scan cache."""
        from cdev_tui.security.cache import ScanCache
        from cdev_tui.security.history import history_changes, scan_changes

        ruleset, suppressions = self.security_setup()
        started = self.timer()
        repo = self.paths.repo
        changes = history_changes(repo)
        report = scan_changes(
            repo,
            changes,
            "history",
            ruleset=ruleset,
            cache=ScanCache(self.store),
            suppressions=suppressions,
            cancel=cancel,
            progress=progress,
        )
        report = replace(report, seconds=self.timer() - started)
        self.store.record_timing(
            "security.history",
            report.seconds,
            f"{len(changes)} blobs, {report.files_scanned} files, {report.bytes_scanned} bytes",
        )
        self._count_blob_cache(report)
        return report

    @staticmethod
    def _security_roots(
        snapshot: WorkspaceSnapshot, agents: set[str] | None = None
    ) -> list[tuple[str, Path]]:
        """The main worktree (unless only some ``agents`` are asked for) and the agents' worktrees."""
        roots: list[tuple[str, Path]] = [("main", snapshot.paths.repo)] if agents is None else []
        roots += [
            (a.agent_id, a.facts.worktree)
            for a in snapshot.agents
            if a.facts.worktree is not None
            and a.facts.worktree.is_dir()
            and (agents is None or a.agent_id in agents)
        ]
        return roots

    def osv_db(self) -> Path:
        """The OSV database directory: the ``osv_db`` setting, else the user cache."""
        from cdev_tui.security.deps import default_db_dir

        return self.config.osv_db or default_db_dir()

    def scan_dependencies(self, snapshot: WorkspaceSnapshot, suppressions: Any = None):
        """Vulnerable dependencies in the lock files of the main worktree and every agent worktree; the
        advisories the baseline (``suppressions``, else the main worktree's) accepts are set aside."""
        from cdev_tui.security.deps import scan_dependencies

        if suppressions is None:
            _, suppressions = self.security_setup()
        report = scan_dependencies(self._security_roots(snapshot), self.osv_db()).accepting(suppressions)
        self.store.record_timing(
            "security.deps",
            report.seconds,
            f"{len(report.dependencies)} dependencies, {report.files_read} files",
        )
        return report

    def security_gate(self):
        """The merge gate as configured (``security_gate``; None when off), with the main worktree's rules and
        baseline and the OSV database when there is one."""
        from cdev_tui.integrate.gate import SecurityGate

        threshold = self.config.security_gate
        if threshold == "off":
            return None
        ruleset, suppressions = self.security_setup()
        db = self.osv_db()
        return SecurityGate(threshold, ruleset, suppressions, db if db.is_dir() else None)

    def conclude_verdict(self, worktree: Path, label: str, applies: bool | None = None):
        """The security gate's verdict on the merge staged in ``worktree`` (what concluding it would add), or
        None when the gate is off or does not apply. ``applies`` None: it applies when the worktree is on the
        target branch (a merge into the target); the integration passes False, its pre-flight gated already."""
        from cdev_tui.gitops import git

        if applies is None:
            head = git(worktree, "symbolic-ref", "--quiet", "--short", "HEAD", ok_codes=(0, 1)).stdout.strip()
            applies = head == self.paths.target
        gate = self.security_gate() if applies else None
        return gate.check_staged(worktree, label) if gate is not None else None

    def record_gate_override(self, messages: list[str], where: str) -> None:
        """Record that the user merged despite the security gate (``where``: integrate, merge editor, ...)."""
        for message in messages:
            self.store.record_event("security.gate-override", f"{where}: {message}")

    def _reviewer(self) -> tuple[str, str]:
        """Who is accepting (git's user.name) and today's date, for baseline entries."""
        from cdev_tui.gitops import git

        name = git(self.paths.repo, "config", "user.name", ok_codes=(0, 1)).stdout.strip()
        return name, datetime.fromtimestamp(self.wall_clock(), UTC).date().isoformat()

    def _update_baseline(self, change: Callable[[Any, str, str], Any], event: str) -> Path:
        """Apply ``change(baseline, by, date)`` to the main worktree's baseline, save it atomically and record
        ``event``; returns the baseline file."""
        from cdev_tui.security.baseline import BASELINE_PATH, load_baseline, save_baseline

        target = self.paths.repo / BASELINE_PATH
        by, date = self._reviewer()
        save_baseline(change(load_baseline(target), by, date), target)
        self.store.record_event("security", f"{event} in {BASELINE_PATH}")
        return target

    def accept_findings(self, findings: list[Any], reason: str) -> Path:
        """Record ``findings`` in the main worktree's baseline with ``reason``; returns the baseline file."""
        if not reason.strip():
            raise CdevError("a reason is needed to accept a finding")
        return self._update_baseline(
            lambda baseline, by, date: baseline.accept(findings, reason.strip(), by, date),
            f"accepted {len(findings)} finding(s): {reason}",
        )

    def accept_advisory(self, advisory: str, package: str, reason: str) -> Path:
        """Accept a dependency advisory for ``package`` in the main worktree's baseline; returns the file."""
        if not reason.strip():
            raise CdevError("a reason is needed to accept an advisory")
        return self._update_baseline(
            lambda baseline, by, date: baseline.accept_advisory(advisory, package, reason.strip(), by, date),
            f"accepted {advisory} for {package}: {reason}",
        )

    def allow_rule(self, rule_id: str, glob: str, reason: str) -> Path:
        """Allow ``rule_id`` in files matching ``glob`` (main worktree's baseline); returns the baseline file."""
        if not reason.strip() or not glob.strip():
            raise CdevError("a path glob and a reason are needed to allow a rule")
        return self._update_baseline(
            lambda baseline, by, date: baseline.allow(rule_id, glob.strip(), reason.strip(), by, date),
            f"allowed {rule_id} in {glob.strip()}: {reason}",
        )
