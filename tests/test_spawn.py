"""Spawning a plan into real branches and worktrees: create, skip, resume, fail cleanly, copy env, cancel, CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cdev_tui.cli import main
from cdev_tui.config import Config
from cdev_tui.errors import CdevError
from cdev_tui.plan import Plan, PlanAgent, load_plan, plan_from_dict
from cdev_tui.spawn import (
    Outcome,
    SpawnProgress,
    basic_plan_problems,
    env_files,
    plan_problems,
    spawn_plan,
)
from cdev_tui.status import AgentStatus
from cdev_tui.store import Store
from cdev_tui.workspace import WorkspaceLoader, WorkspacePaths, resolve_paths
from tests.conftest import commit_files, run_git

TASK = "AOJ-63"
AUTH, FORMS = "AOJ-63-auth_agent", "AOJ-63-forms_agent"
WORKSPACE_FILES = (
    "agent_context.yaml",
    "agent_context.json",
    "files_to_work_on.txt",
    "test_contracts.txt",
    "validation_checklist.txt",
)


def example_plan() -> dict[str, Any]:
    """The two-agent plan of the workflow reference, §2.2."""
    return {
        "taskId": TASK,
        "taskTitle": "Auth and forms",
        "decompositionStrategy": "exclusive_ownership",
        "conflictResolution": "eliminated_by_design",
        "parallelAgents": [
            {
                "agentId": "auth_agent",
                "agentRole": "Authentication & Authorization",
                "focusArea": "Authentication",
                "dependencies": [],
                "filesToCreate": [
                    "lib/auth/authentication.ts",
                    "lib/auth/token-manager.ts",
                    "middleware/auth.ts",
                    "types/auth.ts",
                ],
                "filesToModify": [],
                "testContracts": ["authentication.test.ts", "token-manager.test.ts", "auth.test.ts"],
                "validationCriteria": [
                    "All auth files are created successfully",
                    "auth functionality works as expected",
                    "No errors in auth implementation",
                    "auth tests pass successfully",
                ],
                "estimatedTime": 35,
                "canStartImmediately": True,
            },
            {
                "agentId": "forms_agent",
                "agentRole": "Form Components & Validation",
                "focusArea": "Forms",
                "dependencies": ["auth_agent"],
                "filesToCreate": [
                    "components/forms/DynamicForm.tsx",
                    "lib/form-validation.ts",
                    "hooks/useFormState.ts",
                    "types/form.ts",
                ],
                "filesToModify": [],
                "testContracts": ["DynamicForm.test.tsx", "form-validation.test.ts", "useFormState.test.ts"],
                "validationCriteria": [
                    "All forms files are created successfully",
                    "forms functionality works as expected",
                    "No errors in forms implementation",
                    "forms tests pass successfully",
                ],
                "estimatedTime": 25,
                "canStartImmediately": False,
            },
        ],
        "integrationPlan": {
            "mergeOrder": ["auth_agent", "forms_agent"],
            "validationSteps": ["Validate exclusive file ownership", "Run individual agent tests"],
        },
    }


def chain_plan(count: int) -> dict[str, Any]:
    """``count`` independent agents ``a1_agent`` … (for progress and cancel)."""
    agents = [
        {"agentId": f"a{n}_agent", "filesToCreate": [f"src/a{n}.py"], "validationCriteria": [f"a{n} works"]}
        for n in range(1, count + 1)
    ]
    return {"taskId": "T-1", "taskTitle": "Many", "parallelAgents": agents}


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "aoj-63-deployment-plan.json"
    path.write_text(json.dumps(example_plan(), indent=2))
    return path


@pytest.fixture
def plan(plan_file: Path) -> Plan:
    return load_plan(plan_file)


@pytest.fixture
def paths(repo: Path) -> WorkspacePaths:
    return resolve_paths(repo, Config())


def git_state(repo: Path) -> tuple[str, str]:
    """Every ref and every registered worktree: what 'nothing was created' is checked against."""
    return run_git(repo, "for-each-ref", "--format=%(refname) %(objectname)"), run_git(
        repo, "worktree", "list", "--porcelain"
    )


def registered(repo: Path) -> dict[str, str | None]:
    """Worktree path → branch, for the linked worktrees."""
    result: dict[str, str | None] = {}
    for block in run_git(repo, "worktree", "list", "--porcelain").split("\n\n")[1:]:
        fields = dict(line.partition(" ")[::2] for line in block.splitlines())
        result[fields["worktree"]] = fields.get("branch", "").removeprefix("refs/heads/") or None
    return result


def branch_exists(repo: Path, branch: str) -> bool:
    return (
        subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], cwd=repo
        ).returncode
        == 0
    )


def tree_bytes(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` with its content and modification time."""
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def load_pair(stem: Path) -> tuple[Any, Any]:
    yaml_data = yaml.safe_load(stem.with_name(stem.name + ".yaml").read_text())
    json_data = json.loads(stem.with_name(stem.name + ".json").read_text())
    return yaml_data, json_data


def outcomes(report: Any) -> dict[str, Outcome]:
    return {a.agent_id: a.outcome for a in report.agents}


def failing_hook(repo: Path, pattern: str, *, sleep: float = 0.0) -> Path:
    """A real post-checkout hook that makes ``git worktree add`` fail (after creating it) for matching paths."""
    hook = repo / ".git" / "hooks" / "post-checkout"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(
        "#!/bin/sh\n"
        f"sleep {sleep}\n"
        f'case "$PWD" in *{pattern}) echo "hook refused $PWD" >&2; exit 1;; esac\n'
        "exit 0\n"
    )
    hook.chmod(0o755)
    return hook


# --- creating ------------------------------------------------------------------------------------------


def test_spawn_creates_branches_worktrees_workspace_files_and_status_from_the_target(
    repo: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    main_sha = run_git(repo, "rev-parse", "main")
    run_git(repo, "checkout", "-q", "-b", "feature")
    feature_sha = commit_files(repo, {"feature.txt": "only on the feature branch\n"}, "feature work")
    (repo / "README.md").write_text("dirty, uncommitted edit\n")  # a dirty main worktree is fine

    report = spawn_plan(plan, paths)

    assert report.ok and not report.cancelled and report.warnings == ()
    assert (report.base, report.base_commit) == ("main", main_sha)
    assert outcomes(report) == {"auth_agent": Outcome.CREATED, "forms_agent": Outcome.CREATED}
    root = paths.worktrees_root
    assert root == repo.parent / "project-work-trees"
    assert registered(repo) == {str(root / AUTH): AUTH, str(root / FORMS): FORMS}
    for branch in (AUTH, FORMS):
        assert run_git(repo, "rev-parse", branch) == main_sha != feature_sha
        assert not (root / branch / "feature.txt").exists()
        assert (root / branch / "README.md").read_text() == "# project\n"

    folder = root / FORMS / "workspaces" / "forms_agent"
    assert sorted(p.name for p in folder.iterdir()) == sorted(WORKSPACE_FILES)
    context_yaml, context_json = load_pair(folder / "agent_context")
    assert context_yaml == context_json
    assert context_json["agentId"] == "forms_agent"
    assert context_json["taskId"] == TASK
    assert context_json["branchName"] == FORMS
    assert context_json["workTreePath"] == str(root / FORMS)
    assert context_json["dependencies"] == ["auth_agent"]
    assert context_json["canStartImmediately"] is False
    assert context_json["estimatedTime"] == 25
    assert context_json["agentInstances"][0]["agentRole"] == "Form Components & Validation"
    assert context_json["allFilesToCreate"] == example_plan()["parallelAgents"][1]["filesToCreate"]
    assert (folder / "files_to_work_on.txt").read_text().splitlines() == [
        "CREATE: components/forms/DynamicForm.tsx",
        "CREATE: lib/form-validation.ts",
        "CREATE: hooks/useFormState.ts",
        "CREATE: types/form.ts",
    ]
    assert (folder / "test_contracts.txt").read_text() == (
        "DynamicForm.test.tsx\nform-validation.test.ts\nuseFormState.test.ts\n"
    )
    assert (folder / "validation_checklist.txt").read_text().splitlines()[0] == (
        "1. [ ] All forms files are created successfully"
    )

    coordination = paths.coordination_dir / "parallel-agent-status"
    assert report.coordination == (
        coordination.with_name("parallel-agent-status.yaml"),
        coordination.with_name("parallel-agent-status.json"),
    )
    status_yaml, status_json = load_pair(coordination)
    assert status_yaml == status_json
    assert status_json["taskId"] == TASK and status_json["totalAgents"] == 2
    assert status_json["createdAt"] == status_json["lastUpdated"]
    assert [(a["agentId"], a["branchName"], a["status"], a["startedAt"]) for a in status_json["agents"]] == [
        ("auth_agent", AUTH, "spawned", None),
        ("forms_agent", FORMS, "spawned", None),
    ]
    assert status_json["agents"][1]["dependencies"] == ["auth_agent"]

    snapshot = WorkspaceLoader(resolve_paths(repo, Config())).load()
    auth, forms = snapshot.agent("auth_agent"), snapshot.agent("forms_agent")
    assert auth is not None and forms is not None
    assert auth.status is AgentStatus.READY
    assert forms.status is AgentStatus.BLOCKED and forms.blocked_by == ("auth_agent",)
    assert auth.progress == (0, 4) and forms.facts.branch == FORMS
    assert not auth.facts.problems and not forms.facts.problems


def test_base_option_branches_from_another_ref(repo: Path, plan: Plan, paths: WorkspacePaths) -> None:
    run_git(repo, "branch", "release")
    commit_files(repo, {"hotfix.txt": "x\n"}, "on main after release was cut")
    run_git(repo, "checkout", "-q", "release")
    release_sha = commit_files(repo, {"release.txt": "r\n"}, "release only")
    run_git(repo, "checkout", "-q", "main")

    report = spawn_plan(plan, paths, base="release")

    assert report.base == "release" and report.base_commit == release_sha
    assert run_git(repo, "rev-parse", AUTH) == release_sha
    assert (paths.worktrees_root / AUTH / "release.txt").is_file()


def test_yaml_plan_with_historical_all_keys_is_spawned(
    repo: Path, tmp_path: Path, paths: WorkspacePaths
) -> None:
    data = example_plan()
    forms = data["parallelAgents"][1]
    forms["allFilesToCreate"] = forms.pop("filesToCreate")
    forms["allValidationCriteria"] = forms.pop("validationCriteria")
    forms["estimatedTime"] = "25 minutes"
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))

    report = spawn_plan(load_plan(path), paths)

    assert report.ok
    folder = paths.worktrees_root / FORMS / "workspaces" / "forms_agent"
    assert (folder / "files_to_work_on.txt").read_text().count("CREATE: ") == 4
    assert (folder / "validation_checklist.txt").read_text().count("[ ]") == 4
    assert json.loads((folder / "agent_context.json").read_text())["estimatedTime"] == 25


# --- skipping and resuming -----------------------------------------------------------------------------


def test_rerun_skips_every_agent_and_changes_no_file(repo: Path, plan: Plan, paths: WorkspacePaths) -> None:
    spawn_plan(plan, paths)
    before = tree_bytes(paths.worktrees_root), git_state(repo)

    report = spawn_plan(plan, paths)

    assert outcomes(report) == {"auth_agent": Outcome.SKIPPED, "forms_agent": Outcome.SKIPPED}
    assert report.ok and len(report.coordination) == 2
    assert (tree_bytes(paths.worktrees_root), git_state(repo)) == before


def test_rerun_keeps_recorded_progress_and_restores_missing_workspace_files(
    repo: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    first = spawn_plan(plan, paths)
    stem = paths.coordination_dir / "parallel-agent-status"
    _, status = load_pair(stem)
    status["agents"][0].update(status="in_progress", startedAt="2025-07-10T01:00:00.000Z")
    for path, text in (
        (first.coordination[0], yaml.safe_dump(status)),
        (first.coordination[1], json.dumps(status)),
    ):
        path.write_text(text)
    forms_ws = paths.worktrees_root / FORMS / "workspaces" / "forms_agent"
    (forms_ws / "validation_checklist.txt").unlink()
    context_yaml = (forms_ws / "agent_context.yaml").read_text()
    (forms_ws / "agent_context.json").unlink()
    auth_files = tree_bytes(paths.worktrees_root / AUTH)

    report = spawn_plan(plan, paths)

    assert outcomes(report) == {"auth_agent": Outcome.SKIPPED, "forms_agent": Outcome.RESUMED}
    forms = report.agents[1]
    assert "agent_context.json" in forms.notes[0] and "validation_checklist.txt" in forms.notes[0]
    assert (forms_ws / "agent_context.yaml").read_text() == context_yaml
    assert json.loads((forms_ws / "agent_context.json").read_text()) == yaml.safe_load(context_yaml)
    assert (forms_ws / "validation_checklist.txt").read_text().count("[ ]") == 4
    assert tree_bytes(paths.worktrees_root / AUTH) == auth_files
    status_yaml, status_json = load_pair(stem)
    assert status_yaml == status_json
    assert status_json["agents"][0]["status"] == "in_progress"
    assert status_json["agents"][0]["startedAt"] == "2025-07-10T01:00:00.000Z"
    assert status_json["createdAt"] == status["createdAt"]


def test_existing_branch_without_worktree_gets_one_attached(
    repo: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    run_git(repo, "branch", AUTH)
    run_git(repo, "checkout", "-q", AUTH)
    ticked = "1. [x] All auth files are created successfully\n2. [ ] auth functionality works as expected\n"
    agent_sha = commit_files(
        repo,
        {
            "lib/auth/authentication.ts": "export {}\n",
            "workspaces/auth_agent/validation_checklist.txt": ticked,
        },
        "auth work from an earlier run",
    )
    run_git(repo, "checkout", "-q", "main")

    report = spawn_plan(plan, paths)

    assert outcomes(report) == {"auth_agent": Outcome.RESUMED, "forms_agent": Outcome.CREATED}
    assert "attached a worktree" in report.agents[0].notes[0]
    worktree = paths.worktrees_root / AUTH
    assert registered(repo)[str(worktree)] == AUTH
    assert run_git(worktree, "rev-parse", "HEAD") == agent_sha
    folder = worktree / "workspaces" / "auth_agent"
    assert (folder / "validation_checklist.txt").read_text() == ticked  # the agent's ticks are kept
    assert (folder / "agent_context.json").is_file() and (folder / "files_to_work_on.txt").is_file()
    _, status = load_pair(paths.coordination_dir / "parallel-agent-status")
    assert [a["agentId"] for a in status["agents"]] == ["auth_agent", "forms_agent"]


# --- per-agent failures --------------------------------------------------------------------------------


def test_path_that_is_not_a_worktree_fails_only_that_agent(
    repo: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    squatter = paths.worktrees_root / AUTH
    squatter.mkdir(parents=True)
    (squatter / "notes.txt").write_text("someone else's folder\n")

    report = spawn_plan(plan, paths)

    assert outcomes(report) == {"auth_agent": Outcome.FAILED, "forms_agent": Outcome.CREATED}
    assert not report.ok
    error = report.agents[0].error or ""
    assert str(squatter) in error and "not a git worktree" in error and "\n" not in error
    assert not branch_exists(repo, AUTH)
    assert sorted(p.name for p in squatter.iterdir()) == ["notes.txt"]
    _, status = load_pair(paths.coordination_dir / "parallel-agent-status")
    assert [a["agentId"] for a in status["agents"]] == ["forms_agent"] and status["totalAgents"] == 1


def test_worktree_on_the_wrong_branch_fails_that_agent(repo: Path, plan: Plan, paths: WorkspacePaths) -> None:
    other = paths.worktrees_root / AUTH
    run_git(repo, "worktree", "add", "-q", "-b", "someone-else", str(other))

    report = spawn_plan(plan, paths)

    assert outcomes(report) == {"auth_agent": Outcome.FAILED, "forms_agent": Outcome.CREATED}
    assert "branch someone-else" in (report.agents[0].error or "")
    assert registered(repo)[str(other)] == "someone-else"
    assert not branch_exists(repo, AUTH)


def test_branch_checked_out_elsewhere_fails_that_agent(
    repo: Path, tmp_path: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    elsewhere = tmp_path / "elsewhere"
    run_git(repo, "worktree", "add", "-q", "-b", FORMS, str(elsewhere))

    report = spawn_plan(plan, paths)

    assert outcomes(report) == {"auth_agent": Outcome.CREATED, "forms_agent": Outcome.FAILED}
    assert f"already checked out at {elsewhere}" in (report.agents[1].error or "")
    assert not (paths.worktrees_root / FORMS).exists()
    assert branch_exists(repo, FORMS)  # not ours to delete


def test_worktree_add_failing_midway_is_cleaned_up_and_a_retry_starts_clean(
    repo: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    hook = failing_hook(repo, "forms_agent")

    report = spawn_plan(plan, paths)

    assert outcomes(report) == {"auth_agent": Outcome.CREATED, "forms_agent": Outcome.FAILED}
    assert "hook refused" in (report.agents[1].error or "")
    forms = paths.worktrees_root / FORMS
    assert not forms.exists()
    assert str(forms) not in registered(repo)
    assert not (paths.common_dir / "worktrees" / FORMS).exists()
    assert not branch_exists(repo, FORMS)
    _, status = load_pair(paths.coordination_dir / "parallel-agent-status")
    assert [a["agentId"] for a in status["agents"]] == ["auth_agent"]

    hook.unlink()
    retry = spawn_plan(plan, paths)

    assert outcomes(retry) == {"auth_agent": Outcome.SKIPPED, "forms_agent": Outcome.CREATED}
    _, status = load_pair(paths.coordination_dir / "parallel-agent-status")
    assert [a["agentId"] for a in status["agents"]] == ["auth_agent", "forms_agent"]


def test_workspace_file_failure_removes_the_new_worktree_and_branch(
    repo: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    commit_files(repo, {"workspaces/forms_agent": "a file where the workspace folder must go\n"}, "collide")

    report = spawn_plan(plan, paths)

    assert outcomes(report) == {"auth_agent": Outcome.CREATED, "forms_agent": Outcome.FAILED}
    assert "workspaces/forms_agent" in (report.agents[1].error or "")
    assert not (paths.worktrees_root / FORMS).exists()
    assert str(paths.worktrees_root / FORMS) not in registered(repo)
    assert not branch_exists(repo, FORMS)
    assert branch_exists(repo, AUTH)


def test_when_every_agent_fails_no_worktrees_root_or_status_is_left(
    repo: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    failing_hook(repo, "_agent")

    report = spawn_plan(plan, paths)

    assert outcomes(report) == {"auth_agent": Outcome.FAILED, "forms_agent": Outcome.FAILED}
    assert report.coordination == ()
    assert not paths.worktrees_root.exists()
    assert run_git(repo, "branch", "--format=%(refname:short)") == "main"


def test_python_era_yaml_status_is_kept_and_completed_in_json(
    repo: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    spawn_plan(plan, paths)
    extra = paths.worktrees_root / "AOJ-63-extra_agent"
    run_git(repo, "worktree", "add", "-q", "-b", "AOJ-63-extra_agent", str(extra))
    yaml_path = paths.coordination_dir / "parallel-agent-status.yaml"
    (paths.coordination_dir / "parallel-agent-status.json").unlink()
    text = yaml_path.read_text().replace("startedAt: null", "startedAt: 2025-07-10 00:46:40", 1)
    text = text.replace(
        "agents:\n", "agents:\n- agentId: extra_agent\n  branchName: AOJ-63-extra_agent\n  status: ready\n", 1
    )
    yaml_path.write_text(text)

    report = spawn_plan(plan, paths)

    assert outcomes(report) == {"auth_agent": Outcome.SKIPPED, "forms_agent": Outcome.SKIPPED}
    status_yaml, status_json = load_pair(paths.coordination_dir / "parallel-agent-status")
    assert status_yaml == status_json
    assert [a["agentId"] for a in status_json["agents"]] == ["auth_agent", "forms_agent", "extra_agent"]
    assert status_json["agents"][0]["startedAt"] == "2025-07-10T00:46:40"
    assert status_json["totalAgents"] == 3


# --- refusing before anything is created ---------------------------------------------------------------


def test_unknown_base_is_refused_with_nothing_created(repo: Path, plan: Plan, paths: WorkspacePaths) -> None:
    before = git_state(repo)

    with pytest.raises(CdevError, match="unknown base 'no-such-ref'"):
        spawn_plan(plan, paths, base="no-such-ref")

    assert git_state(repo) == before
    assert not paths.worktrees_root.exists()


def _agent(agent_id: str, *deps: str) -> dict[str, Any]:
    return {"agentId": agent_id, "dependencies": list(deps), "filesToCreate": [f"{agent_id}.py"]}


@pytest.mark.parametrize(
    ("agents", "problem"),
    [
        (
            [_agent("a_agent", "b_agent"), _agent("b_agent", "a_agent")],
            "dependency cycle: a_agent → b_agent → a_agent",
        ),
        ([_agent("a_agent", "a_agent")], "dependency cycle: a_agent → a_agent"),
        (
            [_agent("a_agent"), _agent("b_agent", "ghost_agent")],
            "b_agent depends on unknown agent ghost_agent",
        ),
        ([_agent("../evil")], "agent id '../evil' cannot be part of a branch"),
        ([], "the plan has no agents"),
        (
            [_agent("a_agent"), {**_agent("b_agent"), "filesToModify": ["a_agent.py"]}],
            "a_agent.py is owned by a_agent and b_agent",
        ),
    ],
)
def test_invalid_plans_are_refused_with_nothing_created(
    repo: Path, tmp_path: Path, paths: WorkspacePaths, agents: list[dict[str, Any]], problem: str
) -> None:
    path = tmp_path / "bad-plan.json"
    path.write_text(json.dumps({"taskId": "BAD-1", "parallelAgents": agents}))
    bad = load_plan(path)
    before = git_state(repo)

    with pytest.raises(CdevError) as caught:
        spawn_plan(bad, paths)

    message = str(caught.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message
    assert git_state(repo) == before
    assert not paths.worktrees_root.exists()


def test_basic_checks_stand_in_for_the_planner() -> None:
    agent = PlanAgent("a_agent", files_to_create=("a.py",))
    assert basic_plan_problems(Plan("T-1", "", (agent, agent))) == ["agent id a_agent is used twice"]
    cyclic = plan_from_dict(
        {"taskId": "C", "parallelAgents": [_agent("a_agent", "b_agent"), _agent("b_agent", "a_agent", "x")]}
    )
    assert basic_plan_problems(cyclic) == [
        "b_agent depends on unknown agent x",
        "dependency cycle: a_agent → b_agent → a_agent",
    ]
    assert basic_plan_problems(Plan("T-1", "", ())) == ["the plan has no agents"]
    assert basic_plan_problems(plan_from_dict(example_plan())) == []


def test_plan_problems_of_a_good_plan_and_of_unsafe_ids() -> None:
    assert plan_problems(plan_from_dict(example_plan())) == []
    bad = Plan("A B", "", (PlanAgent("x.lock", files_to_create=("x.py",)),))
    assert plan_problems(bad)[:2] == [
        "taskId 'A B' cannot be part of a branch name",
        "agent id 'x.lock' cannot be part of a branch or folder name",
    ]


# --- copying env files ---------------------------------------------------------------------------------


def test_copy_env_copies_local_files_without_overwriting_and_warns(
    repo: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    commit_files(
        repo, {".gitignore": ".env\n", ".vscode/settings.json": '{"tracked": true}\n'}, "ignore .env"
    )
    files = {
        ".env": "API_KEY=secret\n",
        ".env.local": "LOCAL=1\n",
        ".env.example": "API_KEY=\n",
        ".env.sample": "API_KEY=\n",
        ".claude/settings.local.json": "{}\n",
        ".vscode/settings.json": '{"edited": "locally"}\n',
        ".vscode/launch.json": "{}\n",
    }
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    assert env_files(repo) == [".claude", ".env", ".env.local", ".vscode"]

    report = spawn_plan(plan, paths, copy_env=True)

    assert report.ok
    for branch in (AUTH, FORMS):
        worktree = paths.worktrees_root / branch
        assert (worktree / ".env").read_text() == "API_KEY=secret\n"
        assert (worktree / ".env.local").read_text() == "LOCAL=1\n"
        assert not (worktree / ".env.example").exists() and not (worktree / ".env.sample").exists()
        assert (worktree / ".claude" / "settings.local.json").is_file()
        assert (worktree / ".vscode" / "launch.json").is_file()
        assert (worktree / ".vscode" / "settings.json").read_text() == '{"tracked": true}\n'
    assert report.warnings[0].startswith(
        "secrets copied into 2 worktrees: .claude, .env, .env.local, .vscode"
    )
    assert report.warnings[1] == "not ignored by git, so an agent could commit them: .env.local"


def test_without_copy_env_nothing_is_copied(repo: Path, plan: Plan, paths: WorkspacePaths) -> None:
    (repo / ".env").write_text("API_KEY=secret\n")

    report = spawn_plan(plan, paths)

    assert report.warnings == ()
    assert not (paths.worktrees_root / AUTH / ".env").exists()


# --- progress and cancel -------------------------------------------------------------------------------


def test_progress_after_each_agent_with_an_eta(repo: Path, paths: WorkspacePaths) -> None:
    seen: list[SpawnProgress] = []

    spawn_plan(plan_from_dict(chain_plan(3)), paths, progress=seen.append)

    assert [(p.done, p.total, p.agent_id, p.step) for p in seen] == [
        (1, 3, "a1_agent", "created"),
        (2, 3, "a2_agent", "created"),
        (3, 3, "a3_agent", "created"),
    ]
    assert 0 < seen[0].elapsed_s <= seen[1].elapsed_s <= seen[2].elapsed_s
    assert seen[0].eta_s == pytest.approx(seen[0].elapsed_s * 2)
    assert seen[1].eta_s == pytest.approx(seen[1].elapsed_s / 2)
    assert seen[2].eta_s == 0


def test_cancel_between_agents_keeps_the_created_ones_and_a_rerun_finishes(
    repo: Path, paths: WorkspacePaths
) -> None:
    plan = plan_from_dict(chain_plan(3))
    seen: list[SpawnProgress] = []

    report = spawn_plan(plan, paths, progress=seen.append, cancel=lambda: len(seen) >= 1)

    assert report.cancelled and report.ok
    assert outcomes(report) == {
        "a1_agent": Outcome.CREATED,
        "a2_agent": Outcome.CANCELLED,
        "a3_agent": Outcome.CANCELLED,
    }
    assert "cancelled after 1 of 3 agents" in report.warnings
    assert sorted(Path(p).name for p in registered(repo)) == ["T-1-a1_agent"]
    _, status = load_pair(paths.coordination_dir / "parallel-agent-status")
    assert [a["agentId"] for a in status["agents"]] == ["a1_agent"]

    rerun = spawn_plan(plan, paths)

    assert outcomes(rerun) == {
        "a1_agent": Outcome.SKIPPED,
        "a2_agent": Outcome.CREATED,
        "a3_agent": Outcome.CREATED,
    }
    _, after = load_pair(paths.coordination_dir / "parallel-agent-status")
    assert [a["agentId"] for a in after["agents"]] == ["a1_agent", "a2_agent", "a3_agent"]
    assert after["createdAt"] == status["createdAt"]


def test_coordination_status_of_another_task_is_replaced_with_a_warning(
    repo: Path, plan: Plan, paths: WorkspacePaths
) -> None:
    spawn_plan(plan_from_dict(chain_plan(1)), paths)

    report = spawn_plan(plan, paths)

    assert any("replaced the coordination status of task T-1" in w for w in report.warnings)
    _, status = load_pair(paths.coordination_dir / "parallel-agent-status")
    assert status["taskId"] == TASK and [a["agentId"] for a in status["agents"]] == [
        "auth_agent",
        "forms_agent",
    ]


# --- the CLI -------------------------------------------------------------------------------------------


def cli(*argv: str) -> int:
    return main(["spawn", *argv])


def test_cli_json_shape_progress_and_exit_0(
    repo: Path, plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli(str(plan_file), "--repo", str(repo), "--db", str(tmp_path / "c.db"), "--format", "json")

    captured = capsys.readouterr()
    assert code == 0
    data = json.loads(captured.out)
    root = repo.parent / "project-work-trees"
    assert data["task_id"] == TASK and data["base"] == "main" and data["warnings"] == []
    assert data["agents"] == [
        {
            "id": "auth_agent",
            "branch": AUTH,
            "worktree": str(root / AUTH),
            "outcome": "created",
            "error": None,
            "notes": [],
        },
        {
            "id": "forms_agent",
            "branch": FORMS,
            "worktree": str(root / FORMS),
            "outcome": "created",
            "error": None,
            "notes": [],
        },
    ]
    assert data["coordination"] == [
        str(root / "coordination" / "parallel-agent-status.yaml"),
        str(root / "coordination" / "parallel-agent-status.json"),
    ]
    assert "[1/2] auth_agent: created" in captured.err and "[2/2] forms_agent: created" in captured.err
    store = Store(tmp_path / "c.db")
    try:
        events = sorted((e.kind, e.agent_id, e.message) for e in store.events())
    finally:
        store.close()
    assert events == [
        ("spawn", "auth_agent", f"created {AUTH}"),
        ("spawn", "forms_agent", f"created {FORMS}"),
    ]

    assert cli(str(plan_file), "--repo", str(repo), "--db", str(tmp_path / "c.db")) == 0
    table = capsys.readouterr().out
    assert "auth_agent" in table and "skipped" in table


def test_cli_exit_1_when_an_agent_fails(
    repo: Path, plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.parent / "project-work-trees" / FORMS).mkdir(parents=True)

    code = cli(str(plan_file), "--repo", str(repo), "--db", str(tmp_path / "c.db"), "--format", "json")

    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(a["id"], a["outcome"]) for a in data["agents"]] == [
        ("auth_agent", "created"),
        ("forms_agent", "failed"),
    ]
    assert "not a git worktree" in data["agents"][1]["error"]


def test_cli_copy_env_warns_on_stderr(
    repo: Path, plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".env").write_text("API_KEY=secret\n")

    code = cli(
        str(plan_file), "--repo", str(repo), "--db", str(tmp_path / "c.db"), "--copy-env", "--format", "json"
    )

    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)["warnings"][0].startswith("secrets copied into 2 worktrees: .env")
    assert "cdev-tui: warning: secrets copied into 2 worktrees" in captured.err


def test_cli_bad_input_is_one_line_and_exit_2(
    repo: Path, plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"taskId": "X", "parallelAgents": [')
    cyclic = tmp_path / "cyclic.json"
    cyclic.write_text(json.dumps({"taskId": "C-1", "parallelAgents": [_agent("a_agent", "a_agent")]}))
    not_a_repo = tmp_path / "plain"
    not_a_repo.mkdir()
    db = str(tmp_path / "c.db")
    cases = [
        ((str(broken), "--repo", str(repo), "--db", db), f"{broken}: invalid JSON"),
        ((str(tmp_path / "missing.json"), "--repo", str(repo), "--db", db), "missing.json: file not found"),
        ((str(cyclic), "--repo", str(repo), "--db", db), "dependency cycle"),
        ((str(plan_file), "--repo", str(repo), "--db", db, "--base", "nope"), "unknown base 'nope'"),
        ((str(plan_file), "--repo", str(not_a_repo), "--db", db), "not a git repository"),
    ]
    before = git_state(repo)
    for argv, expected in cases:
        assert cli(*argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("cdev-tui: error: ") and expected in err and err.count("\n") == 1, err
    assert git_state(repo) == before
    assert not (repo.parent / "project-work-trees").exists()


def test_ctrl_c_cancels_after_the_current_agent(repo: Path, tmp_path: Path) -> None:
    plan_path = tmp_path / "many.json"
    plan_path.write_text(json.dumps(chain_plan(8)))
    failing_hook(repo, "never-matches", sleep=0.3)  # slows every worktree add down, fails none
    command = [
        sys.executable,
        "-m",
        "cdev_tui",
        "spawn",
        str(plan_path),
        "--repo",
        str(repo),
        "--format",
        "json",
    ]
    command += ["--db", str(tmp_path / "c.db")]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    assert "[1/8] a1_agent: created" in line, line
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)

    assert process.returncode == 130, err
    data = json.loads(out)
    created = [a["id"] for a in data["agents"] if a["outcome"] == "created"]
    assert data["cancelled"] is True and 1 <= len(created) < 8
    assert all(a["outcome"] == "cancelled" for a in data["agents"][len(created) :])
    status = json.loads(
        (repo.parent / "project-work-trees" / "coordination" / "parallel-agent-status.json").read_text()
    )
    assert [a["agentId"] for a in status["agents"]] == created
    assert len(registered(repo)) == len(created)
