"""Pre-flight, integration and finish on real repositories whose agents commit in real linked worktrees."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from cdev_tui.config import Config
from cdev_tui.errors import CdevError
from cdev_tui.integrate import (
    IntegrationResult,
    StepEvent,
    finish,
    integrate,
    integration_order,
    preflight,
)
from cdev_tui.workspace import WorkspaceLoader, WorkspaceSnapshot, resolve_paths
from cdev_tui.workspace_files import agent_context, set_checklist, write_agent_workspace, write_plan_json
from tests.conftest import commit_files, run_git

TASK = "T-7"
NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)

# Three agents with exclusive ownership; b depends on a. c owns README.md.
AGENTS = {
    "a_agent": {"create": ["src/models.py"], "modify": [], "deps": []},
    "b_agent": {"create": ["src/api.py"], "modify": ["src/app.py"], "deps": ["a_agent"]},
    "c_agent": {"create": ["docs/guide.md"], "modify": ["README.md"], "deps": []},
}
WORK = {
    "a_agent": {"src/models.py": "class Model:\n    pass\n"},
    "b_agent": {"src/api.py": "from src.models import Model\n", "src/app.py": "def main():\n    return 2\n"},
    "c_agent": {"docs/guide.md": "# Guide\n", "README.md": "# project\n\nSee docs/guide.md.\n"},
}


@dataclass(frozen=True)
class Workspace:
    repo: Path
    root: Path

    def worktree(self, agent_id: str) -> Path:
        return self.root / f"{TASK}-{agent_id}"

    def branch(self, agent_id: str) -> str:
        return f"{TASK}-{agent_id}"

    def snapshot(self) -> WorkspaceSnapshot:
        return WorkspaceLoader(resolve_paths(self.repo, Config())).load()


def write_plan(repo: Path, merge_order: list[str], extra_agents: tuple[str, ...] = ()) -> Path:
    entries = [
        {
            "agentId": agent_id,
            "agentRole": agent_id.replace("_", " "),
            "dependencies": spec["deps"],
            "filesToCreate": spec["create"],
            "filesToModify": spec["modify"],
            "validationCriteria": [f"{agent_id} works", "tests pass"],
            "estimatedTime": 10,
        }
        for agent_id, spec in AGENTS.items()
    ]
    entries += [{"agentId": a, "dependencies": [], "filesToCreate": [f"{a}.txt"]} for a in extra_agents]
    plan = {
        "taskId": TASK,
        "taskTitle": "Integration test task",
        "parallelAgents": entries,
        "integrationPlan": {"mergeOrder": merge_order},
    }
    return write_plan_json(repo / "shared" / "deployment-plans" / "t-7-deployment-plan.json", plan)


def build_workspace(base: Path, *, work: dict[str, dict[str, str]] | None = None) -> Workspace:
    """A repository on ``main`` with a plan and three spawned agents that committed their work and ticked
    every checklist item, as agents do. ``shared/`` is not ignored, as in the demo project."""
    repo = base / "project"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    commit_files(
        repo,
        {
            ".gitignore": "workspaces/\n__pycache__/\n",
            "README.md": "# project\n",
            "src/app.py": "def main():\n    return 1\n",
        },
        "initial",
    )
    plan_path = write_plan(repo, ["a_agent", "b_agent", "c_agent"])
    plan = json.loads(plan_path.read_text())
    workspace = Workspace(repo, base / "project-work-trees")
    for agent_id in AGENTS:
        worktree = workspace.worktree(agent_id)
        run_git(repo, "worktree", "add", "-q", "-b", workspace.branch(agent_id), str(worktree), "main")
        entry = next(e for e in plan["parallelAgents"] if e["agentId"] == agent_id)
        context = agent_context(
            plan,
            entry,
            branch=workspace.branch(agent_id),
            worktree=worktree,
            created_at="2026-03-02T10:00:00Z",
        )
        folder = write_agent_workspace(worktree, context)
        commit_files(worktree, (work or WORK)[agent_id], f"feat({agent_id}): work")
        set_checklist(folder / "validation_checklist.txt", [1, 2])
    return workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return build_workspace(tmp_path)


def fingerprint(ws: Workspace) -> dict[str, object]:
    """Everything a run must leave alone: refs (but new integration branches), worktrees, HEADs, indexes, status."""
    refs = [
        line
        for line in run_git(ws.repo, "for-each-ref", "--format=%(refname) %(objectname)").splitlines()
        if not line.startswith("refs/heads/integration-")
    ]
    state: dict[str, object] = {
        "refs": refs,
        "worktrees": run_git(ws.repo, "worktree", "list", "--porcelain"),
        "root": sorted(p.name for p in ws.root.iterdir()),
    }
    for path in [ws.repo, *(ws.worktree(a) for a in AGENTS)]:
        gitdir = Path(run_git(path, "rev-parse", "--absolute-git-dir"))
        status = run_git(path, "status", "--porcelain=v2", "--untracked-files=all").splitlines()
        state[str(path)] = {
            "head": run_git(path, "rev-parse", "HEAD"),
            "branch": run_git(path, "symbolic-ref", "-q", "HEAD"),
            "index": hashlib.sha256((gitdir / "index").read_bytes()).hexdigest(),
            # The run's own report files are the only thing it may add (untracked, in the main worktree).
            "status": [
                line
                for line in status
                if not line.startswith(("? shared/reports/integration-report-", "? shared/coordination/"))
            ],
            "files": sorted(
                (p.relative_to(path).as_posix(), p.read_bytes())
                for p in path.rglob("*")
                if p.is_file() and ".git" not in p.parts and "shared" not in p.parts
            ),
        }
    return state


def expected_tree(ws: Workspace, tmp_path: Path, agents: list[str]) -> str:
    """The tree of merging ``agents`` into main ourselves, in a scratch clone."""
    scratch = tmp_path / "scratch"
    run_git(tmp_path, "clone", "-q", str(ws.repo), str(scratch))
    for agent_id in agents:
        run_git(scratch, "merge", "-q", "--no-ff", "--no-edit", f"origin/{ws.branch(agent_id)}")
    return run_git(scratch, "rev-parse", "HEAD^{tree}")


def tree(repo: Path, rev: str) -> str:
    return run_git(repo, "rev-parse", f"{rev}^{{tree}}")


def assert_no_temp_worktree(ws: Workspace, result: IntegrationResult) -> None:
    assert not [p for p in ws.root.iterdir() if p.name.startswith(".integration-")]
    assert ".integration-" not in run_git(ws.repo, "worktree", "list", "--porcelain")
    assert run_git(ws.repo, "rev-parse", f"refs/heads/{result.branch}") == result.head


# --- the whole run ------------------------------------------------------------------------------------


def test_end_to_end_three_agents_merge_into_a_new_branch_whose_tree_is_the_expected_merge(
    ws: Workspace, tmp_path: Path
) -> None:
    snapshot = ws.snapshot()
    assert preflight(snapshot) == []
    assert integration_order(snapshot) == ["a_agent", "b_agent", "c_agent"]
    before = fingerprint(ws)
    target = run_git(ws.repo, "rev-parse", "main")
    events: list[StepEvent] = []
    output: list[tuple[int, str]] = []

    result = integrate(
        snapshot,
        test_command="echo files: $(ls src | tr '\\n' ' '); test -f src/models.py",
        test_timeout=30,
        on_output=lambda step, line: output.append((step, line)),
        on_step=events.append,
        now=NOW,
    )

    assert result.ok and result.stopped_reason is None
    assert result.branch == "integration-20260302-120000"
    assert [(s.agent, s.merged, s.test_passed, s.conflicted_files) for s in result.steps] == [
        ("a_agent", True, True, ()),
        ("b_agent", True, True, ()),
        ("c_agent", True, True, ()),
    ]
    assert tree(ws.repo, result.branch) == expected_tree(ws, tmp_path, ["a_agent", "b_agent", "c_agent"])
    # One --no-ff merge commit per step, naming its agent, with the agent's tip as second parent.
    merges = run_git(ws.repo, "rev-list", "--first-parent", "--reverse", f"main..{result.branch}").split()
    assert merges == [s.commit for s in result.steps]
    for step in result.steps:
        parents = run_git(ws.repo, "rev-list", "--parents", "-n1", step.commit or "").split()[1:]
        assert parents[1] == run_git(ws.repo, "rev-parse", ws.branch(step.agent)) == step.source_commit
        assert step.agent in run_git(ws.repo, "log", "-1", "--format=%s", step.commit or "")
    assert result.steps[1].files_changed == ("src/api.py", "src/app.py")
    # Live output, tagged with its step; progress events in order.
    assert (0, "files: app.py models.py") in output
    assert (1, "files: api.py app.py models.py") in output
    assert [(e.index, e.phase) for e in events] == [
        (i, phase) for i in range(3) for phase in ("merging", "testing", "done")
    ]
    # The target, the main worktree and every agent are exactly as before; the temporary worktree is gone.
    assert run_git(ws.repo, "rev-parse", "main") == target == result.target_commit
    assert fingerprint(ws) == before
    assert_no_temp_worktree(ws, result)


def test_reports_follow_cdevs_schema_and_list_every_step(ws: Workspace) -> None:
    result = integrate(ws.snapshot(), test_command="true", now=NOW)
    assert result.report_md == ws.repo / "shared/reports/integration-report-20260302-120000.md"
    data = yaml.safe_load(result.report_yaml.read_text())
    assert {
        "agents_integrated",
        "branch",
        "date",
        "deployment_plan",
        "quality_results",
        "report_path",
    } <= set(data)
    assert data["agents_integrated"] == ["a_agent", "b_agent", "c_agent"]
    assert data["branch"] == result.branch
    assert data["date"] == "2026-03-02T12:00:00.000Z"
    assert data["deployment_plan"] == "shared/deployment-plans/t-7-deployment-plan.json"
    assert data["quality_results"] == {"tests": True}
    assert data["report_path"] == "shared/reports/integration-report-20260302-120000.md"
    assert [(s["agent"], s["merged"], s["test_passed"]) for s in data["steps"]] == [
        ("a_agent", True, True),
        ("b_agent", True, True),
        ("c_agent", True, True),
    ]
    assert data["ok"] is True and data["target"] == "main"
    markdown = result.report_md.read_text()
    for agent_id in AGENTS:
        assert f"### {agent_id}\n" in markdown
    assert markdown.count("- Status: ✅ Integrated") == 3
    assert "**Branch**: integration-20260302-120000" in markdown
    status = yaml.safe_load((ws.repo / "shared/coordination/integration-status.yaml").read_text())
    assert status["integration_branch"] == result.branch
    assert status["integration_complete"] is True
    assert status["report"] == "shared/reports/integration-report-20260302-120000.md"
    assert result.status_path == ws.repo / "shared/coordination/integration-status.yaml"
    # Bookkeeping only: nothing was committed to the target or the integration branch for it.
    assert "shared/reports" not in run_git(ws.repo, "ls-tree", "-r", "--name-only", result.branch)


def test_a_second_run_in_the_same_second_gets_its_own_branch_and_report(ws: Workspace) -> None:
    first = integrate(ws.snapshot(), now=NOW)
    second = integrate(ws.snapshot(), now=NOW)
    assert (first.branch, second.branch) == ("integration-20260302-120000", "integration-20260302-120000-2")
    assert first.report_md.exists() and second.report_md.exists() and first.report_md != second.report_md
    assert tree(ws.repo, first.branch) == tree(ws.repo, second.branch)


def test_a_tracked_integration_status_file_is_left_alone(ws: Workspace) -> None:
    commit_files(ws.repo, {"shared/coordination/integration-status.yaml": "mine: true\n"}, "track status")
    result = integrate(ws.snapshot(), now=NOW)
    assert (ws.repo / "shared/coordination/integration-status.yaml").read_text() == "mine: true\n"
    assert result.status_path is None and "tracked by git" in result.notices[0]
    assert run_git(ws.repo, "status", "--porcelain", "--untracked-files=no") == ""


# --- pre-flight -----------------------------------------------------------------------------------------


def kinds(problems: list) -> set[tuple[str, str | None]]:
    return {(p.kind, p.agent) for p in problems}


def test_preflight_names_incomplete_dirty_violating_and_unspawned_agents(ws: Workspace) -> None:
    write_plan(ws.repo, ["a_agent", "b_agent", "c_agent", "d_agent"], extra_agents=("d_agent",))
    set_checklist(ws.worktree("a_agent") / "workspaces/a_agent/validation_checklist.txt", [1])
    (ws.worktree("b_agent") / "src/api.py").write_text("changed but not committed\n")
    (ws.worktree("b_agent") / "notes.txt").write_text("untracked\n")
    commit_files(ws.worktree("c_agent"), {"src/app.py": "def main():\n    return 3\n"}, "c edits b's file")
    before = fingerprint(ws)

    problems = preflight(ws.snapshot())

    assert kinds(problems) == {
        ("incomplete", "a_agent"),
        ("dirty", "b_agent"),
        ("violation", "b_agent"),  # notes.txt is owned by nobody
        ("violation", "c_agent"),
        ("missing-branch", "d_agent"),
        ("incomplete", "d_agent"),
    }
    dirty = next(p for p in problems if p.kind == "dirty")
    assert set(dirty.files) == {"src/api.py", "notes.txt"}
    assert "src/api.py" in dirty.message and "would be left out" in dirty.message
    violation = next(p for p in problems if p.kind == "violation" and p.agent == "c_agent")
    assert violation.files == ("src/app.py",) and "owned by b_agent" in violation.message
    missing = next(p for p in problems if p.kind == "missing-branch")
    assert "T-7-d_agent does not exist" in missing.message
    assert fingerprint(ws) == before  # looking changes nothing

    allowed = preflight(ws.snapshot(), allow_violations=True, allow_incomplete=True)
    assert kinds(allowed) == {("dirty", "b_agent"), ("missing-branch", "d_agent")}


def test_preflight_checks_dependencies_and_the_plans_merge_order(ws: Workspace) -> None:
    snapshot = ws.snapshot()
    only_b = preflight(snapshot, agents=["b_agent"])
    assert kinds(only_b) == {("dependency", "b_agent")}
    assert "depends on a_agent" in only_b[0].message
    assert preflight(snapshot, agents=["c_agent", "a_agent"]) == []
    assert integration_order(snapshot, ["c_agent", "a_agent"]) == ["a_agent", "c_agent"]

    write_plan(ws.repo, ["b_agent", "a_agent", "c_agent"])
    problems = preflight(ws.snapshot())
    assert kinds(problems) == {("order", None)}
    assert "puts b_agent before its dependency a_agent" in problems[0].message


def test_preflight_derives_an_order_when_the_plan_has_none(ws: Workspace) -> None:
    write_plan(ws.repo, [])
    snapshot = ws.snapshot()
    assert preflight(snapshot) == []
    order = integration_order(snapshot)
    assert sorted(order) == sorted(AGENTS) and order.index("a_agent") < order.index("b_agent")


def test_preflight_rejects_unknown_agents_and_reports_nothing_to_do(ws: Workspace) -> None:
    with pytest.raises(CdevError, match="unknown agent 'nope'"):
        preflight(ws.snapshot(), agents=["nope"])
    for agent_id in AGENTS:  # merge everything into main, as a finished task would be
        run_git(ws.repo, "merge", "-q", "--no-ff", "--no-edit", ws.branch(agent_id))
    assert kinds(preflight(ws.snapshot())) == {("nothing", None)}


def test_integrate_rejects_bad_input_before_creating_anything(ws: Workspace) -> None:
    before = fingerprint(ws)
    branches = run_git(ws.repo, "branch", "--list")
    with pytest.raises(CdevError, match="unknown agent 'ghost'"):
        integrate(ws.snapshot(), order=["a_agent", "ghost"])
    with pytest.raises(CdevError, match="positive"):
        integrate(ws.snapshot(), test_timeout=0)
    with pytest.raises(CdevError, match="twice"):
        integrate(ws.snapshot(), order=["a_agent", "a_agent"])
    assert run_git(ws.repo, "branch", "--list") == branches
    assert fingerprint(ws) == before
    assert not (ws.repo / "shared" / "reports").exists()


# --- stopping -----------------------------------------------------------------------------------------


def test_a_conflict_stops_with_its_files_and_the_branch_at_the_previous_step(tmp_path: Path) -> None:
    work = {**WORK, "c_agent": {**WORK["c_agent"], "src/app.py": "def main():\n    return 99\n"}}
    ws = build_workspace(tmp_path, work=work)
    snapshot = ws.snapshot()
    before = fingerprint(ws)
    target = run_git(ws.repo, "rev-parse", "main")

    result = integrate(snapshot, order=["a_agent", "b_agent", "c_agent"], test_command="true", now=NOW)

    assert not result.ok
    assert [(s.agent, s.merged) for s in result.steps] == [
        ("a_agent", True),
        ("b_agent", True),
        ("c_agent", False),
    ]
    conflict = result.conflict
    assert (
        conflict is not None and conflict.agent == "c_agent" and conflict.conflicted_files == ("src/app.py",)
    )
    assert conflict.commit is None and conflict.test_passed is None
    assert result.steps.index(conflict) == conflict.index == 2
    assert result.pending == ()
    assert "merge conflict at step 3 (c_agent) in src/app.py" in (result.stopped_reason or "")
    # Exactly the previous step: same commit, and its tree is the merge of a and b alone.
    assert result.head == result.steps[1].commit
    assert tree(ws.repo, result.branch) == expected_tree(ws, tmp_path, ["a_agent", "b_agent"])
    assert run_git(ws.repo, "rev-parse", "main") == target
    assert fingerprint(ws) == before
    assert_no_temp_worktree(ws, result)
    markdown = result.report_md.read_text()
    assert "❌ Merge conflict" in markdown and "- Conflicted files: src/app.py" in markdown
    assert yaml.safe_load(result.report_yaml.read_text())["agents_integrated"] == ["a_agent", "b_agent"]


def test_a_failing_test_stops_and_keeps_the_merge(ws: Workspace) -> None:
    before = fingerprint(ws)
    result = integrate(
        ws.snapshot(), test_command="echo checking api; test ! -f src/api.py", test_timeout=30, now=NOW
    )
    assert not result.ok
    assert [(s.agent, s.merged, s.test_passed) for s in result.steps] == [
        ("a_agent", True, True),
        ("b_agent", True, False),
    ]
    assert result.pending == ("c_agent",)
    assert result.head == result.steps[1].commit  # the failing merge stays, for inspection
    assert run_git(ws.repo, "cat-file", "-e", f"{result.branch}:src/api.py") == ""
    assert result.steps[1].test_output_tail == "checking api"
    assert "tests failed after merging b_agent at step 2 (exit code 1)" in (result.stopped_reason or "")
    data = yaml.safe_load(result.report_yaml.read_text())
    assert data["quality_results"] == {"tests": False} and data["not_reached"] == ["c_agent"]
    assert "- Status: ⏸ Not reached" in result.report_md.read_text()
    assert fingerprint(ws) == before
    assert_no_temp_worktree(ws, result)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_a_hanging_test_is_killed_at_the_timeout_with_everything_it_started(
    ws: Workspace, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    started = time.monotonic()
    result = integrate(
        ws.snapshot(),
        order=["a_agent"],
        test_command=f"echo started; sleep 30 & echo $$ $! > {pids}; wait",
        test_timeout=1,
        now=NOW,
    )
    assert time.monotonic() - started < 10
    step = result.steps[0]
    assert (step.merged, step.test_passed, result.ok) == (True, False, False)
    assert step.test_output_tail.splitlines()[0] == "started"
    assert "killed after the 1 s test timeout" in step.test_output_tail
    assert "timed out after 1 s" in (result.stopped_reason or "")
    deadline = time.monotonic() + 5
    shell, sleeper = (int(p) for p in pids.read_text().split())
    while (_alive(shell) or _alive(sleeper)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(shell) and not _alive(sleeper)
    assert_no_temp_worktree(ws, result)


def test_cancel_between_steps_leaves_the_branch_at_the_last_completed_step(ws: Workspace) -> None:
    done: list[int] = []

    def on_step(event: StepEvent) -> None:
        if event.phase == "done":
            done.append(event.index)

    result = integrate(ws.snapshot(), on_step=on_step, cancel=lambda: len(done) >= 1, now=NOW)
    assert result.cancelled and not result.ok
    assert [s.agent for s in result.steps] == ["a_agent"]
    assert result.head == result.steps[0].commit
    assert "cancelled before b_agent" in (result.stopped_reason or "")
    assert result.pending == ("b_agent", "c_agent")


def test_cancel_while_tests_run_undoes_that_merge(ws: Workspace) -> None:
    testing: list[int] = []

    def on_step(event: StepEvent) -> None:
        if event.phase == "testing":
            testing.append(event.index)

    started = time.monotonic()
    result = integrate(
        ws.snapshot(),
        test_command="if [ -f src/api.py ]; then sleep 30; fi",  # hangs only once b_agent is merged
        on_step=on_step,
        cancel=lambda: 1 in testing,
        test_timeout=60,
        now=NOW,
    )
    assert time.monotonic() - started < 10
    assert result.cancelled and not result.ok
    assert [(s.agent, s.merged, s.test_passed) for s in result.steps] == [
        ("a_agent", True, True),
        ("b_agent", False, None),
    ]
    assert result.head == result.steps[0].commit
    assert "src/api.py" not in run_git(ws.repo, "ls-tree", "-r", "--name-only", result.branch)
    assert "cancelled while testing b_agent" in (result.stopped_reason or "")
    assert result.pending == ("c_agent",)
    assert_no_temp_worktree(ws, result)


def test_an_error_in_a_callback_kills_the_tests_and_removes_the_temporary_worktree(
    ws: Workspace, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"

    def on_output(step: int, line: str) -> None:
        if line == "go":
            raise RuntimeError("the screen went away")

    before = fingerprint(ws)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="the screen went away"):
        integrate(
            ws.snapshot(), test_command=f"echo $$ > {pids}; echo go; sleep 30", on_output=on_output, now=NOW
        )
    assert time.monotonic() - started < 10
    shell = int(pids.read_text())
    deadline = time.monotonic() + 5
    while _alive(shell) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(shell)
    assert not [p for p in ws.root.iterdir() if p.name.startswith(".integration-")]
    assert ".integration-" not in run_git(ws.repo, "worktree", "list", "--porcelain")
    assert fingerprint(ws) == before


# --- finish ---------------------------------------------------------------------------------------------


def test_finish_fast_forwards_the_target_only_with_confirmation(ws: Workspace) -> None:
    result = integrate(ws.snapshot(), test_command="true", now=NOW)
    target = run_git(ws.repo, "rev-parse", "main")
    with pytest.raises(CdevError, match="explicit confirmation"):
        finish(ws.repo, result.branch, "main", confirm=False)
    assert run_git(ws.repo, "rev-parse", "main") == target

    (ws.repo / "README.md").write_text("local edit\n")
    with pytest.raises(CdevError, match=r"uncommitted changes \(README.md\); commit or stash"):
        finish(ws.repo, result.branch, "main", confirm=True)
    assert run_git(ws.repo, "rev-parse", "main") == target
    assert (ws.repo / "README.md").read_text() == "local edit\n"
    run_git(ws.repo, "checkout", "--", "README.md")

    # The run's untracked report files do not count as changes.
    assert run_git(ws.repo, "status", "--porcelain").startswith("?? shared/")
    new = finish(ws.repo, result.branch, "main", confirm=True)
    assert (
        new == result.head == run_git(ws.repo, "rev-parse", "main") == run_git(ws.repo, "rev-parse", "HEAD")
    )
    assert run_git(ws.repo, "status", "--porcelain", "--untracked-files=no") == ""
    assert (ws.repo / "src/api.py").is_file()
    assert finish(ws.repo, result.branch, "main", confirm=True) == new  # already contained: nothing to do


def test_finish_makes_a_merge_commit_when_the_target_moved_on(ws: Workspace) -> None:
    result = integrate(ws.snapshot(), now=NOW)
    moved = commit_files(ws.repo, {"CHANGELOG.md": "- later work\n"}, "meanwhile on main")
    new = finish(ws.repo, result.branch, "main", confirm=True)
    parents = run_git(ws.repo, "rev-list", "--parents", "-n1", new).split()[1:]
    assert parents == [moved, result.head]
    assert {"CHANGELOG.md", "src/api.py", "docs/guide.md"} <= set(
        run_git(ws.repo, "ls-tree", "-r", "--name-only", new).splitlines()
    )


def test_finish_refuses_when_the_target_is_not_checked_out_or_conflicts(ws: Workspace) -> None:
    result = integrate(ws.snapshot(), now=NOW)
    run_git(ws.repo, "switch", "-q", "-c", "elsewhere")
    with pytest.raises(CdevError, match=r"main is not checked out in the main worktree.*git switch main"):
        finish(ws.repo, result.branch, "main", confirm=True)
    run_git(ws.repo, "switch", "-q", "main")
    target = commit_files(ws.repo, {"src/app.py": "def main():\n    return 42\n"}, "main edits app.py too")
    with pytest.raises(CdevError, match=r"conflicts in src/app.py\); main is unchanged"):
        finish(ws.repo, result.branch, "main", confirm=True)
    assert run_git(ws.repo, "rev-parse", "HEAD") == target
    assert run_git(ws.repo, "status", "--porcelain", "--untracked-files=no") == ""
    with pytest.raises(CdevError, match="integration branch integration-nope does not exist"):
        finish(ws.repo, "integration-nope", "main", confirm=True)
