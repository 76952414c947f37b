"""The workspace service: what the panes ask for, as plain blocking calls for worker threads.

Textual-free. The app factory builds one and injects it into the screens; tests use it directly.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdev_tui.config import Config, load_config
from cdev_tui.errors import CdevError
from cdev_tui.service_alerts import AlertsService
from cdev_tui.service_metrics import MetricsService
from cdev_tui.service_security import Cancel, SecurityService
from cdev_tui.service_sessions import SessionsService
from cdev_tui.status import AgentStatus

if TYPE_CHECKING:  # the modules themselves load in the worker that first needs them
    from cdev_tui.conflicts import ConflictReport
    from cdev_tui.object_cache import ObjectCache
    from cdev_tui.store import Store
    from cdev_tui.telemetry import Telemetry
    from cdev_tui.workspace import WorkspaceLoader, WorkspacePaths, WorkspaceSnapshot
    from cdev_tui.workspace.last_known import LastKnown


class WorkspaceService(SecurityService, SessionsService, AlertsService, MetricsService):
    """Loads the workspace, runs the engines and records history in the store.

    Where the repository's parts are (``paths``) and the store are worked out on first use, in the
    worker that first needs them, so building the service costs no git call and no database work.
    """

    def __init__(
        self,
        start: Path,
        config: Config,
        *,
        db: Path | None = None,
        paths: WorkspacePaths | None = None,
        store: Store | None = None,
    ) -> None:
        self.start = start
        self.config = config
        self.wall_clock: Callable[[], float] = time.time
        """Seconds since the epoch, for timestamps (tests freeze it)."""
        self.timer: Callable[[], float] = time.perf_counter
        """A monotonic timer, for the durations shown to the user (tests freeze it)."""
        self._db = db
        self._paths = paths
        self._store = store
        self._objects: ObjectCache | None = None
        self._lock = threading.Lock()
        self._recorded: dict[str, tuple[str, int, int, int, int]] = {}
        self._compacted_at: float | None = None
        self._last_prediction: list[Any] = []
        self.last_sync_message: str | None = None
        self.telemetry: Telemetry | None = None
        """The OTLP export of the store's timings and the workspace figures (None: no endpoint configured)."""
        """What the last coordination-status sync did ("... is up to date", or the changes it wrote)."""

    @property
    def paths(self) -> WorkspacePaths:
        """The repository, its worktrees root, coordination folder and target (runs git the first time)."""
        with self._lock:
            if self._paths is None:
                from cdev_tui.workspace import resolve_paths

                self._paths = resolve_paths(self.start, self.config)
            return self._paths

    @property
    def store(self) -> Store:
        """The repository's store, opened the first time it is needed."""
        paths = self.paths
        with self._lock:
            if self._store is None:
                from cdev_tui.store import Store, default_db_path

                self._store = Store(self._db or default_db_path(paths.common_dir))
                from cdev_tui.telemetry import start_telemetry

                self.telemetry = start_telemetry(self.config, self._store, paths.repo.name)
            return self._store

    @property
    def objects(self) -> ObjectCache:
        """The cache of answers keyed by git object ids, kept in the store and shared by every engine."""
        store = self.store
        with self._lock:
            if self._objects is None:
                from cdev_tui.object_cache import ObjectCache

                self._objects = ObjectCache(store)
            return self._objects

    @property
    def loader(self) -> WorkspaceLoader:
        """A loader for this workspace (cheap: its answers live in :attr:`objects`)."""
        from cdev_tui.workspace import WorkspaceLoader

        return WorkspaceLoader(
            self.paths,
            now=self.wall_clock,
            stall_minutes=self.config.stall_minutes,
            cache=self.objects,
            remote_patterns=self.config.remote_agents,
        )

    def db_path(self) -> Path:
        """The store's file: the one given, else ``<git common dir>/cdev/cdev.db`` (found without git)."""
        from cdev_tui.gitops import locate_common_dir
        from cdev_tui.store import default_db_path

        return self._db or default_db_path(locate_common_dir(self.start))

    def last_known(self, name: str = "workspace") -> LastKnown | None:
        """The workspace (or with ``name="conflicts"`` the conflict report) as the store last saw it, for the
        first frame: no git, no writer thread.

        None before the first read; CdevError (one line) when the saved one must not be drawn (another
        repository, another version, damaged).
        """
        import sqlite3

        from cdev_tui.gitops import locate_common_dir
        from cdev_tui.store import read_last_known_row

        db = self.db_path()
        try:
            row = read_last_known_row(db, name)
        except sqlite3.Error as exc:
            raise CdevError(f"{db}: cannot read the last known {name} ({exc}); reading it afresh") from None
        if row is None:  # nothing saved yet: the codec and the model are not even imported
            return None
        from cdev_tui.workspace.last_known import LastKnownError, from_row

        try:
            return from_row(row, db, locate_common_dir(self.start), name, _last_known_roots()[name])
        except LastKnownError as exc:
            raise CdevError(f"{exc}; reading it afresh") from None

    def _save_last_known(self, name: str, value: Any, taken_at: float) -> None:
        from cdev_tui.workspace.last_known import dump, fingerprint

        common = str(self.paths.common_dir.resolve())
        self.store.save_last_known(
            name, common, fingerprint(_last_known_roots()[name]), taken_at, dump(value)
        )

    def load(self) -> WorkspaceSnapshot:
        """Read every agent and record what changed."""
        started = self.timer()
        snapshot = self.loader.load()
        self._after_read(snapshot, "workspace.load", started)
        return self._sync_coordination(snapshot)

    def refresh(self, snapshot: WorkspaceSnapshot, changed: set[Path]) -> WorkspaceSnapshot:
        """Re-read the agents that a set of changed paths touches (all of them when the layout changed)."""
        started = self.timer()
        touched = self.loader.agents_touched(snapshot, changed)
        if touched is None:
            fresh = self.loader.load()
        elif not touched:
            return snapshot
        else:
            fresh = self.loader.refresh(snapshot, touched)
        self._after_read(fresh, "workspace.refresh", started)
        return self._sync_coordination(fresh)

    def fetch_remotes(self) -> list[str]:
        """``git fetch --prune`` each remote the ``remote_agents`` patterns name; one notice per failure.

        Never raises for a remote that is unreachable, asks for credentials (no prompt: it fails), hangs
        (killed after :data:`FETCH_TIMEOUT` seconds) or rejects the fetch: the notice says the remote agents
        shown are as of the last successful fetch, and when that was. Each fetch is recorded as an event.
        """
        from cdev_tui.workspace.remote import remote_names

        repo = self.paths.repo
        notices = []
        for remote in remote_names(self.config.remote_agents):
            started = self.timer()
            error = _git_fetch(repo, remote)
            seconds = self.timer() - started
            if error is None:
                self.store.record_event(FETCH_EVENT, f"{remote}: fetched in {seconds:.1f} s")
                continue
            when = self._last_fetch(remote)
            self.store.record_event(FETCH_FAILED_EVENT, f"{remote}: {error}")
            as_of = f"as of the last fetch ({when})" if when else "as of the last fetch (none recorded)"
            notices.append(f"{remote}: fetch failed: {error}; showing remote agents {as_of}")
        return notices

    def _last_fetch(self, remote: str) -> str | None:
        """When cdev-tui last fetched ``remote`` successfully (local time), from the store's events."""
        self.store.flush()
        rows = self.store.query(
            "SELECT max(ts) AS ts FROM events WHERE kind = ? AND substr(message, 1, ?) = ?",
            (FETCH_EVENT, len(remote) + 1, f"{remote}:"),
        )
        ts = rows[0]["ts"] if rows else None
        if ts is None:
            return None
        return datetime.fromtimestamp(ts, UTC).astimezone().strftime("%Y-%m-%d %H:%M")

    def _sync_coordination(self, snapshot: WorkspaceSnapshot) -> WorkspaceSnapshot:
        """Keep cdev's coordination status in step with the agents; a broken file becomes a notice."""
        from cdev_tui.coordination import sync_coordination_status

        now = datetime.fromtimestamp(self.wall_clock(), UTC)
        try:
            result = sync_coordination_status(snapshot, snapshot.paths.coordination_dir, now)
        except CdevError as exc:
            self.last_sync_message = None
            return replace(snapshot, notices=(*snapshot.notices, str(exc)))
        self.last_sync_message = result.message
        if result.written:
            self.store.record_event("coordination", result.message)
        return snapshot

    def _after_read(self, snapshot: WorkspaceSnapshot, op: str, started: float) -> None:
        from cdev_tui.store import AgentSnapshotRow

        self.store.record_timing(op, self.timer() - started, f"{len(snapshot.agents)} agents")
        if self.telemetry is not None:
            self.telemetry.observe(snapshot)
        self._save_last_known("workspace", snapshot, snapshot.taken_at)
        now = self.wall_clock()
        rows = []
        for agent in snapshot.agents:
            state = agent.facts.git
            key = (
                str(agent.status),
                *agent.progress,
                len(state.dirty) if state else 0,
                state.ahead if state else 0,
            )
            if self._recorded.get(agent.agent_id) == key:
                continue
            previous = self._recorded.get(agent.agent_id)
            self._recorded[agent.agent_id] = key
            rows.append(AgentSnapshotRow(agent.agent_id, key[0], key[1], key[2], key[3], key[4], now))
            if previous is not None and previous[0] != key[0]:
                self.store.record_event(
                    "status", f"{agent.agent_id}: {previous[0]} → {key[0]}", agent.agent_id
                )
        if rows:
            self.store.record_snapshots(rows)
        self._compact_now_and_then(now)

    def _compact_now_and_then(self, now: float) -> None:
        """Thin out old history every few hours (in the store's writer thread; nothing waits for it)."""
        from cdev_tui.retention import COMPACT_EVERY_HOURS

        if self._compacted_at is None:
            self._compacted_at = self.store.last_compaction() or 0.0
        if now - self._compacted_at >= COMPACT_EVERY_HOURS * 3600:
            self._compacted_at = now
            self.store.compact(now)

    def predict_conflicts(
        self,
        snapshot: WorkspaceSnapshot,
        cancel: Cancel | None = None,
        *,
        previous: ConflictReport | None = None,
        changed_agents: set[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ConflictReport:
        """Predicted conflicts for every agent pair and against the target.

        Given the ``previous`` report and the agents changed since (None: all of them), only the worktrees
        of changed agents are looked at again and only the pairs with a changed side are merged again.
        ``progress(done, total)`` counts worktrees looked at and merges run (the total grows as they are
        planned).
        """
        from cdev_tui.conflicts import AgentRef, predict_conflicts

        # Merged agents have nothing left to merge; a dependency on one is already satisfied. A remote
        # agent has no worktree here: its committed tip alone is predicted.
        pending = [
            a
            for a in snapshot.agents
            if (a.facts.worktree is not None or a.facts.remote) and a.status is not AgentStatus.MERGED
        ]
        pending_ids = {a.agent_id for a in pending}
        refs = [
            AgentRef(
                agent_id=a.agent_id,
                branch=a.facts.branch,
                worktree=a.facts.worktree,
                dependencies=tuple(d for d in a.spec.dependencies if d in pending_ids),
                owned_files=a.spec.owned_files,
                status=_worktree_status(a),
            )
            for a in pending
        ]
        started = self.timer()
        report = predict_conflicts(
            snapshot.paths.repo,
            snapshot.paths.target,
            refs,
            cancel=cancel,
            progress=progress,
            previous=previous,
            changed_agents=changed_agents,
            cache=self.objects,
        )
        self.objects.flush()
        report = replace(report, seconds=self.timer() - started)
        detail = (
            f"{len(refs)} agents, {len(report.pairs) + len(report.vs_target)} comparisons, "
            f"{report.git_calls} git calls, {report.reused_pairs} pairs reused"
        )
        self.store.record_timing("conflicts.predict", report.seconds, detail)
        if not report.cancelled:
            self._record_prediction(report)
            self._save_last_known("conflicts", report, self.wall_clock())
        return report

    def start_trial(
        self, snapshot: WorkspaceSnapshot, a: str, b: str, *, against_target: bool, merge_order: list[str]
    ) -> Any:
        """Merge a predicted conflict's two sides in a scratch worktree, as integration will meet it.

        Against the target, the agent is merged into the target; between two agents, the one that
        integrates later (the plan's merge order; ``merge_order`` when there is none) is merged into the
        other, so the hunks are the ones integration will meet. Returns a
        :class:`cdev_tui.conflicts.trial.Trial`.
        """
        from cdev_tui.conflicts.trial import side_of, start_trial
        from cdev_tui.integrate import integration_order

        with contextlib.suppress(CdevError):  # without a usable plan order, the predicted one
            merge_order = integration_order(snapshot)

        paths = snapshot.paths

        def side(agent_id: str):
            agent = snapshot.agent(agent_id)
            if agent is None:
                raise CdevError(f"unknown agent {agent_id!r}")
            return side_of(agent_id, agent.facts.branch, agent.facts.worktree, paths.repo)

        if against_target:
            ours, theirs = side_of(b, b, None, paths.repo), side(a)
        else:
            position = {agent_id: n for n, agent_id in enumerate(merge_order)}
            first, second = sorted((a, b), key=lambda x: (position.get(x, len(position)), x))
            ours, theirs = side(first), side(second)
        trial = start_trial(paths.repo, paths.worktrees_root, ours, theirs)
        self.store.record_event("trial.start", f"{theirs.name} into {ours.name}: {len(trial.files)} files")
        return trial

    def end_trial(self, trial: Any) -> None:
        """Remove a trial's scratch worktree (what was written there stays learned)."""
        from cdev_tui.conflicts.trial import remove_trial

        remove_trial(self.paths.repo, trial.worktree)
        self.store.record_event("trial.end", f"{trial.theirs.name} into {trial.ours.name}")

    def agent_action(self, snapshot: WorkspaceSnapshot, action: str, agent_id: str, **options: Any) -> str:
        """Run one agent action (see :mod:`cdev_tui.actions`) and record it; returns its one-line message.

        ``action`` is one of check, uncheck, complete, commit, remove, delete-branch. Gates that say no
        raise ``ActionRefused`` (a CdevError) and change nothing.
        """
        from cdev_tui import actions

        agent = snapshot.agent(agent_id)
        if agent is None:
            raise CdevError(f"unknown agent {agent_id!r}")
        paths = snapshot.paths
        runners: dict[str, Callable[[], Any]] = {
            "check": lambda: actions.check_items(agent, options["numbers"]),
            "uncheck": lambda: actions.uncheck_items(agent, options["numbers"]),
            "complete": lambda: actions.mark_complete(agent),
            "commit": lambda: actions.commit_agent(agent, message=options.get("message")),
            "remove": lambda: actions.remove_worktree(agent, confirm=True, force=options.get("force", False)),
            "delete-branch": lambda: actions.delete_branch(
                paths.repo, agent.facts.branch or "", paths.target, confirm=True
            ),
        }
        if action not in runners:
            raise CdevError(f"unknown action {action!r}")
        if agent.facts.remote:
            raise actions.ActionRefused(actions.remote_refusal(agent))
        message = runners[action]().message
        self.store.record_event(f"agent.{action}", message, agent_id)
        return message

    def prune(self) -> str:
        """``git worktree prune``, recorded."""
        from cdev_tui.actions import prune_worktrees

        message = prune_worktrees(self.paths.repo).message
        self.store.record_event("agent.prune", message)
        return message

    def plan_from_input(self, source: str, *, ai: bool = False) -> Any:
        """A plan from what the user typed: a plan or task file path, a cached Linear issue id, or a description."""
        import re

        from cdev_tui import planner
        from cdev_tui.plan import load_plan

        source = source.strip()
        if not source:
            raise CdevError("say what to plan: a description, a task file, or a Linear issue id")
        repo = self.paths.repo
        path = Path(source).expanduser()
        path = path if path.is_absolute() else repo / path
        if len(source) < 1024 and path.is_file():
            try:
                return planner.normalise(load_plan(path))
            except CdevError:
                task = planner.load_task_file(path)
        elif re.fullmatch(r"[A-Za-z][A-Za-z0-9]*-\d+", source) and planner.find_linear_cache(repo, source):
            task = planner.load_linear_task(repo, source)
        else:
            task = planner.task_from_text(source)
        started = self.timer()
        cache = self.objects
        plan = (
            planner.ai_decompose(task, repo, cache=cache)
            if ai
            else planner.decompose(task, repo, cache=cache)
        )
        cache.flush()
        self.store.record_timing("plan.decompose", self.timer() - started, f"{len(plan.agents)} agents")
        return plan

    def validate_plan(self, plan: Any) -> list[Any]:
        """Problems with a plan against this repository (errors first)."""
        from cdev_tui.planner import validate_plan

        return validate_plan(plan, self.paths.repo)

    def save_plan(self, plan: Any) -> Path:
        """Write the plan where cdev keeps task plans; refuses a plan with errors."""
        from cdev_tui.planner import save_plan

        path = save_plan(plan, self.paths.repo)
        self.store.record_event("plan.save", f"{plan.task_id}: {len(plan.agents)} agents → {path.name}")
        return path

    def spawn(self, plan: Any, **options: Any) -> Any:
        """Branches, worktrees and workspace files for every agent of ``plan`` (see :mod:`cdev_tui.spawn`)."""
        from cdev_tui.spawn import spawn_plan

        started = self.timer()
        report = spawn_plan(plan, self.paths, **options)
        self.store.record_timing("spawn", self.timer() - started, f"{len(report.agents)} agents")
        for outcome in report.agents:
            detail = f"{outcome.outcome}" + (f": {outcome.error}" if outcome.error else "")
            self.store.record_event("spawn", f"{outcome.agent_id} {detail}", outcome.agent_id)
        return report

    def integrate(self, snapshot: WorkspaceSnapshot, **options: Any) -> Any:
        """Merge the agents into a new integration branch (see :func:`cdev_tui.integrate.integrate`)."""
        from cdev_tui.integrate import integrate

        started, started_at = self.timer(), self.wall_clock()
        result = integrate(
            snapshot, test_command=options.pop("test_command", self.config.test_command), **options
        )
        outcome = "ok" if result.ok else (result.stopped_reason or "stopped")
        self.store.record_timing("integrate", self.timer() - started, f"{len(result.steps)} steps")
        self.store.record_event("integrate", f"{result.branch}: {outcome}")
        self._record_integration(result, started_at)
        return result

    def finish_integration(self, branch: str) -> str:
        """Merge an integration branch into the target (the user has confirmed); returns the new target commit."""
        from cdev_tui.integrate import finish

        started = self.timer()
        commit = finish(self.paths.repo, branch, self.paths.target, confirm=True)
        self.store.record_timing(
            "integrate.finish", self.timer() - started, f"{branch} into {self.paths.target}"
        )
        self.store.record_event(
            "integrate.finish", f"{branch} merged into {self.paths.target} at {commit[:8]}"
        )
        return commit

    def close(self) -> None:
        """Finish pending writes (nothing to do when the store was never opened), then send pending telemetry."""
        if self._store is not None:
            self._store.close()
        if self.telemetry is not None:
            self.telemetry.shutdown()


FETCH_TIMEOUT = 60.0
"""Seconds a ``git fetch`` of one remote may take before it is killed."""
FETCH_EVENT, FETCH_FAILED_EVENT = "remote.fetch", "remote.fetch-failed"


def _git_fetch(repo: Path, remote: str, timeout: float = FETCH_TIMEOUT) -> str | None:
    """``git fetch --prune --quiet <remote>`` without prompts; None when it worked, else git's first line.

    It runs in a session of its own (no terminal to ask a password or a host key on) and the whole
    process group is killed at the timeout, ssh included.
    """
    import os
    import signal
    import subprocess

    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"}
    try:
        proc = subprocess.Popen(
            ["git", "fetch", "--prune", "--quiet", remote],
            cwd=repo,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        return f"cannot run git ({exc.strerror})"
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return f"no answer within {timeout:g} s"
    if proc.returncode == 0:
        return None
    lines = [line.strip() for line in (err or out).decode(errors="replace").splitlines() if line.strip()]
    return lines[0] if lines else f"git exited with code {proc.returncode}"


def _last_known_roots() -> dict[str, type]:
    """What each last known state is read back as."""
    from cdev_tui.conflicts.report import ConflictReport  # the modules alone: the first frame needs no engine
    from cdev_tui.workspace.model import WorkspaceSnapshot

    return {"workspace": WorkspaceSnapshot, "conflicts": ConflictReport}


def _worktree_status(agent: Any) -> Any:
    """The agent's worktree status as the snapshot read it (so prediction need not run git status again)."""
    from cdev_tui.conflicts.snapshot import WorktreeStatus

    state = agent.facts.git
    if agent.facts.remote or state is None or agent.facts.worktree is None:
        return None
    return WorktreeStatus(head=state.head, branch=state.branch, changed=state.dirty)


def open_service(start: Path, *, db: Path | None = None, config: Config | None = None) -> WorkspaceService:
    """The workspace service for the repository around ``start``, resolved and with its store open.

    Raises CdevError (one line) when ``start`` is not in a repository or the config or store is bad.
    """
    from cdev_tui import gitops

    root = gitops.repo_root(start)
    service = WorkspaceService(root, config or load_config(root), db=db)
    service.store  # noqa: B018 - resolve paths and open the store now, so bad input fails here
    return service


def lazy_service(start: Path, *, db: Path | None = None, config: Config | None = None) -> WorkspaceService:
    """A service for the app: only the cheap checks now (no git, no database); the rest in its workers."""
    from cdev_tui import gitops

    root = gitops.find_worktree_root(start)
    return WorkspaceService(root, config or load_config(root), db=db)
