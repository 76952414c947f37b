"""What an integration run reports: pre-flight problems, steps, progress events and the whole result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BRANCH_PREFIX = "integration-"
WORKTREE_PREFIX = ".integration-"
REPORTS_DIR = Path("shared") / "reports"
STATUS_PATH = Path("shared") / "coordination" / "integration-status.yaml"


@dataclass(frozen=True)
class Problem:
    """One reason not to integrate yet.

    ``kind`` is one of ``nothing``, ``missing-branch``, ``incomplete``, ``empty``, ``dirty``, ``violation``,
    ``dependency``, ``order`` or ``security`` (the merge gate; see :mod:`cdev_tui.integrate.gate`);
    ``files`` names the paths involved (uncommitted or not owned).
    """

    kind: str
    message: str
    agent: str | None = None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepResult:
    """One agent branch merged (or not) into the integration branch, and the tests after it."""

    agent: str
    commit: str | None
    """The integration branch after this step (the merge commit); None when the step did not merge."""
    merged: bool
    conflicted_files: tuple[str, ...] = ()
    test_passed: bool | None = None
    """None when no test command ran."""
    test_output_tail: str = ""
    seconds: float = 0.0
    branch: str = ""
    source_commit: str = ""
    """The agent branch's tip that was merged."""
    files_changed: tuple[str, ...] = ()
    """What this merge changed on the integration branch."""
    message: str = ""
    """Why the step stopped, or a note such as "already contained"."""
    index: int = 0
    """The step's position in the merge order (0-based)."""
    resolved_files: tuple[str, ...] = ()
    """Files whose conflicts were resolved (in the merge editor or by safe suggestions) at this step."""


@dataclass(frozen=True)
class StepEvent:
    """Progress of a run, for ``on_step``: ``phase`` is ``merging``, ``resolving``, ``testing`` or ``done``
    (with ``result``)."""

    index: int
    total: int
    agent: str
    phase: str
    result: StepResult | None = None


@dataclass(frozen=True)
class IntegrationResult:
    """What an integration run did. The integration branch stays; its temporary worktree is gone."""

    branch: str
    steps: list[StepResult]
    ok: bool
    report_md: Path
    report_yaml: Path
    stopped_reason: str | None
    order: tuple[str, ...] = ()
    target: str = ""
    target_commit: str = ""
    """The target's commit the integration branch was created from (the target itself is never moved)."""
    head: str = ""
    """The integration branch's commit at the end of the run."""
    status_path: Path | None = None
    cancelled: bool = False
    notices: tuple[str, ...] = ()

    @property
    def conflict(self) -> StepResult | None:
        """The step that stopped on a merge conflict, if any (for the merge editor)."""
        return next((s for s in self.steps if s.conflicted_files), None)

    @property
    def pending(self) -> tuple[str, ...]:
        """Agents of the order that were not reached."""
        return self.order[len(self.steps) :]

    @property
    def agents_integrated(self) -> list[str]:
        """Agents whose branch is merged into the integration branch."""
        return [s.agent for s in self.steps if s.merged]
