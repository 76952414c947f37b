"""The main screen's security work: secret scans (full, per changed agent, history), dependency checks and
baseline changes, each in a worker, with the results handed to the Security pane.

A mixin of :class:`~cdev_tui.screens.main.MainScreen`: it uses the screen's ``service``, ``snapshot``,
``_deliver`` and ``_refresh_metrics``. Its handlers are named ``on_<message handler name>`` (a mixin's
``@on`` decorators are not collected).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from cdev_tui.executor import lower_thread_priority
from cdev_tui.screens.security import SecurityPane

if TYPE_CHECKING:
    from cdev_tui.progress import JobProgress
    from cdev_tui.workspace import WorkspaceSnapshot

SCAN_JOB, HISTORY_JOB = "Scanning for secrets", "Scanning history"


class SecurityJobsMixin:
    """Scans, dependency checks and baseline changes for the main screen."""

    service: Any
    snapshot: Any
    _scan_report: Any
    _deps_report: Any
    ask_alerts: Any

    class ScanFinished(Message):
        """A finished secret scan (a ``ScanReport``) and the rules it used."""

        def __init__(self, report: Any, ruleset: Any) -> None:
            super().__init__()
            self.report = report
            self.ruleset = ruleset

    class ScanUpdated(Message):
        """A rescan of the worktrees of a few agents whose files changed (a ``ScanReport``)."""

        def __init__(self, report: Any) -> None:
            super().__init__()
            self.report = report

    class ScanProgress(Message):
        """Secret scan progress (a ``JobProgress`` in files)."""

        def __init__(self, progress: JobProgress) -> None:
            super().__init__()
            self.progress = progress

    class DependenciesScanned(Message):
        """A finished dependency scan (a ``DepsReport``)."""

        def __init__(self, report: Any) -> None:
            super().__init__()
            self.report = report

    class HistoryProgress(Message):
        """History scan progress (a ``JobProgress`` in file versions)."""

        def __init__(self, progress: JobProgress) -> None:
            super().__init__()
            self.progress = progress

    class HistoryScanned(Message):
        """A finished (or cancelled) history scan (a ``ScanReport`` whose findings carry commits)."""

        def __init__(self, report: Any) -> None:
            super().__init__()
            self.report = report

    # -- workers -------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="scan", exit_on_error=False, description="Scanning for secrets")
    def _scan(self, snapshot: WorkspaceSnapshot) -> None:
        lower_thread_priority()
        worker = get_current_worker()
        from cdev_tui.progress import job_reporter

        progress = job_reporter(SCAN_JOB, lambda p: self.post_message(self.ScanProgress(p)), unit="files")
        setup = self.service.security_setup()
        report = self.service.scan(
            snapshot, cancel=lambda: worker.is_cancelled, progress=progress, setup=setup
        )
        if not worker.is_cancelled:
            self.post_message(self.ScanFinished(report, setup[0]))
            self.app.call_from_thread(self._scan_dependencies, snapshot, setup[1])

    @work(thread=True, group="scan-agents", exit_on_error=False, description="Rescanning changed worktrees")
    def _rescan_agents(self, snapshot: WorkspaceSnapshot, agents: set[str]) -> None:
        lower_thread_priority()
        setup = self.service.security_setup()
        self.post_message(self.ScanUpdated(self.service.scan(snapshot, agents=agents, setup=setup)))
        self.app.call_from_thread(self._scan_dependencies, snapshot, setup[1])

    @work(thread=True, exclusive=True, group="deps", exit_on_error=False, description="Checking dependencies")
    def _scan_dependencies(self, snapshot: WorkspaceSnapshot, suppressions: Any) -> None:
        lower_thread_priority()
        self.post_message(self.DependenciesScanned(self.service.scan_dependencies(snapshot, suppressions)))

    @work(thread=True, exclusive=True, group="history", exit_on_error=False, description="Scanning history")
    def _scan_history(self) -> None:
        lower_thread_priority()
        worker = get_current_worker()
        from cdev_tui.progress import job_reporter

        progress = job_reporter(
            HISTORY_JOB, lambda p: self.post_message(self.HistoryProgress(p)), unit="file versions"
        )
        report = self.service.scan_history(cancel=lambda: worker.is_cancelled, progress=progress)
        self.post_message(self.HistoryScanned(report))

    @work(thread=True, group="baseline", exit_on_error=False, description="Updating the secrets baseline")
    def _update_baseline(self, request: Message) -> None:
        if isinstance(request, SecurityPane.AcceptRequested):
            target = self.service.accept_findings(list(request.row.findings), request.reason)
            done = f"Accepted {request.row.masked} in {target.name}: it no longer counts in any worktree."
        elif isinstance(request, SecurityPane.AdvisoryAcceptRequested):
            target = self.service.accept_advisory(request.advisory, request.package, request.reason)
            done = f"Accepted {request.advisory} for {request.package} in {target.name}."
        else:
            assert isinstance(request, SecurityPane.AllowRequested)
            target = self.service.allow_rule(request.rule_id, request.glob, request.reason)
            done = f"Allowed {request.rule_id} in {request.glob} ({target.name})."
        self.app.call_from_thread(self.notify, done, timeout=6)
        self.app.call_from_thread(self.rescan)

    # -- what the pane asks for ------------------------------------------------------------------------

    def rescan(self) -> None:
        """Run the secret scan again."""
        from cdev_tui.progress import JobProgress

        if self.snapshot is not None:
            self._deliver(SecurityPane, "show_progress", (JobProgress.begin(SCAN_JOB, unit="files"),))
            self._scan(self.snapshot)

    def on_security_pane_accept_requested(self, message: SecurityPane.AcceptRequested) -> None:
        self._update_baseline(message)

    def on_security_pane_advisory_accept_requested(
        self, message: SecurityPane.AdvisoryAcceptRequested
    ) -> None:
        self._update_baseline(message)

    def on_security_pane_allow_requested(self, message: SecurityPane.AllowRequested) -> None:
        self._update_baseline(message)

    def on_security_pane_history_requested(self, message: SecurityPane.HistoryRequested) -> None:
        running = [w for w in self.workers if w.group == "history" and not w.is_finished]
        if running:
            for worker in running:
                worker.cancel()
            self.notify("History scan cancelled.", timeout=3)
            return
        from cdev_tui.progress import JobProgress

        started = JobProgress.begin(HISTORY_JOB, unit="file versions")
        self._deliver(SecurityPane, "show_history_progress", (started,))
        self._scan_history()

    # -- results -------------------------------------------------------------------------------------

    def on_security_jobs_mixin_scan_progress(self, message: ScanProgress) -> None:
        self._deliver(SecurityPane, "show_progress", (message.progress,))

    def on_security_jobs_mixin_scan_finished(self, message: ScanFinished) -> None:
        self._scan_report = message.report
        self._deliver(SecurityPane, "use_ruleset", (message.ruleset,))
        self._deliver(SecurityPane, "show_report", (message.report,))
        self._refresh_metrics()
        self.ask_alerts()

    def on_security_jobs_mixin_scan_updated(self, message: ScanUpdated) -> None:
        from cdev_tui.security import merge_reports

        if self._scan_report is None:
            return
        self._scan_report = merge_reports(self._scan_report, message.report)
        self._deliver(SecurityPane, "show_report", (self._scan_report,))
        self.ask_alerts()

    def on_security_jobs_mixin_dependencies_scanned(self, message: DependenciesScanned) -> None:
        self._deps_report = message.report
        self._deliver(SecurityPane, "show_deps", (message.report,))
        self.ask_alerts()

    def on_security_jobs_mixin_history_progress(self, message: HistoryProgress) -> None:
        self._deliver(SecurityPane, "show_history_progress", (message.progress,))

    def on_security_jobs_mixin_history_scanned(self, message: HistoryScanned) -> None:
        self._deliver(SecurityPane, "show_history", (message.report,))
