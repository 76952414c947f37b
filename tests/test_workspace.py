"""The workspace model on real repositories with real linked worktrees, in every cdev file variant."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from cdev_tui.config import Config
from cdev_tui.errors import CdevError, NotAGitRepoError
from cdev_tui.workspace import AgentStatus, WorkspaceLoader, resolve_paths
from tests.conftest import commit_files, run_git

TASK = "AOJ-63"


def add_worktree(repo: Path, agent_id: str) -> Path:
    """A linked worktree on branch ``AOJ-63-<agent>`` in ``../project-work-trees``."""
    path = repo.parent / f"{repo.name}-work-trees" / f"{TASK}-{agent_id}"
    run_git(repo, "worktree", "add", "-q", "-b", f"{TASK}-{agent_id}", str(path))
    return path


def write_checklist(worktree: Path, agent_id: str, checked: list[bool]) -> Path:
    folder = worktree / "workspaces" / agent_id
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{i}. [{'x' if c else ' '}] criterion {i}" for i, c in enumerate(checked, start=1)]
    path = folder / "validation_checklist.txt"
    path.write_text("\n".join(lines))  # cdev writes no trailing newline
    return path


@pytest.fixture
def workspace(repo: Path) -> dict[str, Path]:
    """auth_agent (Python-era YAML context), forms_agent (JS-era JSON context with all* keys), a plain worktree."""
    (repo / ".gitignore").write_text("workspaces/\n")
    commit_files(repo, {"lib/shared.ts": "export const shared = 1;\n"}, "shared lib")
    auth = add_worktree(repo, "auth_agent")
    forms = add_worktree(repo, "forms_agent")
    plain = repo.parent / f"{repo.name}-work-trees" / "spike"
    run_git(repo, "worktree", "add", "-q", "-b", "spike", str(plain))

    ws = auth / "workspaces" / "auth_agent"
    ws.mkdir(parents=True)
    (ws / "agent_context.yaml").write_text(
        yaml.safe_dump(
            {
                "agentId": "auth_agent",
                "taskId": TASK,
                "branchName": f"{TASK}-auth_agent",
                "agentInstances": [{"agentId": "auth_agent", "agentRole": "Authentication"}],
                "dependencies": [],
                "allFilesToCreate": ["lib/auth.ts"],
                "allFilesToModify": [],
                "allTestContracts": ["auth.test.ts"],
                "allValidationCriteria": ["a", "b"],
                "estimatedTime": 35,
                "createdAt": "2025-07-10T00:46:40.365000",
            },
            sort_keys=False,
        )
    )
    write_checklist(auth, "auth_agent", [True, False])

    ws = forms / "workspaces" / "forms_agent"
    ws.mkdir(parents=True)
    (ws / "agent_context.json").write_text(
        json.dumps(
            {
                "agentId": "forms_agent",
                "taskId": TASK,
                "branchName": f"{TASK}-forms_agent",
                "workTreePath": f"../project-work-trees/{TASK}-forms_agent",
                "agentRole": "Forms",
                "dependencies": ["auth_agent"],
                "estimatedTime": "25 minutes",
                "createdAt": "2025-07-10T00:46:40.365Z",
            }
        )
    )
    (ws / "files_to_work_on.txt").write_text("CREATE: components/Form.tsx\nMODIFY: lib/shared.ts")
    write_checklist(forms, "forms_agent", [False, False, False])
    return {"repo": repo, "auth": auth, "forms": forms, "plain": plain}


def load(repo: Path, **config: object):
    paths = resolve_paths(repo, Config(**config))  # type: ignore[arg-type]
    loader = WorkspaceLoader(paths)
    return loader, loader.load()


def test_agents_are_mapped_through_context_files_not_by_splitting_names(workspace: dict[str, Path]) -> None:
    _, snapshot = load(workspace["repo"])
    ids = [a.agent_id for a in snapshot.agents]
    assert ids == ["auth_agent", "forms_agent", "spike"]
    auth = snapshot.agent("auth_agent")
    assert auth.facts.branch == f"{TASK}-auth_agent"
    assert auth.facts.task_id == TASK
    assert auth.spec.role == "Authentication"
    assert auth.spec.files_to_create == ("lib/auth.ts",)
    assert auth.spec.estimated_minutes == 35


def test_statuses_progress_and_dependencies(workspace: dict[str, Path]) -> None:
    _, snapshot = load(workspace["repo"])
    auth, forms, spike = snapshot.agents
    assert auth.status is AgentStatus.IN_PROGRESS
    assert auth.progress == (1, 2)
    assert forms.status is AgentStatus.BLOCKED
    assert forms.blocked_by == ("auth_agent",)
    assert forms.spec.estimated_minutes == 25
    assert forms.spec.files_to_modify == ("lib/shared.ts",)
    assert spike.facts.plain and spike.status is AgentStatus.READY


def test_complete_and_merged(workspace: dict[str, Path]) -> None:
    repo, auth = workspace["repo"], workspace["auth"]
    write_checklist(auth, "auth_agent", [True, True])
    (auth / "lib").mkdir(exist_ok=True)
    (auth / "lib" / "auth.ts").write_text("export const auth = 1;\n")
    _, snapshot = load(repo)
    assert snapshot.agent("auth_agent").status is AgentStatus.COMPLETE  # checklist done, work not committed
    run_git(auth, "add", "lib")
    run_git(auth, "commit", "-q", "-m", "auth")
    _, snapshot = load(repo)
    assert snapshot.agent("auth_agent").status is AgentStatus.COMMITTED  # ready to integrate
    assert snapshot.agent("forms_agent").status is AgentStatus.READY  # its dependency is done
    run_git(repo, "merge", "-q", "--no-ff", "-m", "merge auth", f"{TASK}-auth_agent")
    _, snapshot = load(repo)
    assert snapshot.agent("auth_agent").status is AgentStatus.MERGED


def test_completed_marker_counts_as_complete(workspace: dict[str, Path]) -> None:
    (workspace["forms"] / "workspaces" / "forms_agent" / "COMPLETED").write_text("")
    _, snapshot = load(workspace["repo"])
    forms = snapshot.agent("forms_agent")
    assert forms.status is AgentStatus.COMPLETE and forms.fraction == 1.0


def test_ownership_violations_committed_and_uncommitted(workspace: dict[str, Path]) -> None:
    auth = workspace["auth"]
    commit_files(auth, {"lib/auth.ts": "x\n", "components/Form.tsx": "stolen\n"}, "auth work")
    (auth / "README.md").write_text("# edited, not committed\n")
    (auth / "shared" / "coordination").mkdir(parents=True)
    (auth / "shared" / "coordination" / "validation-status.yaml").write_text("validation_passed: true\n")
    run_git(auth, "add", "shared")
    run_git(auth, "commit", "-q", "-m", "agent-commit bookkeeping")
    _, snapshot = load(workspace["repo"])
    agent = snapshot.agent("auth_agent")
    by_path = {v.path: v for v in agent.violations}
    assert set(by_path) == {"components/Form.tsx", "README.md"}
    assert (
        by_path["components/Form.tsx"].owner == "forms_agent"
        and not by_path["components/Form.tsx"].uncommitted
    )
    assert by_path["README.md"].owner is None and by_path["README.md"].uncommitted
    assert agent.bookkeeping == ("shared/coordination/validation-status.yaml",)
    assert agent.facts.git.ahead == 2


def test_plan_fills_in_what_contexts_lack_and_planned_agents_appear(workspace: dict[str, Path]) -> None:
    repo = workspace["repo"]
    plans = repo / "shared" / "deployment-plans"
    plans.mkdir(parents=True)
    (plans / "aoj-63-deployment-plan.yaml").write_text(
        yaml.safe_dump(
            {
                "taskId": TASK,
                "taskTitle": "Auth and forms",
                "parallelAgents": [
                    {"agentId": "auth_agent", "agentRole": "Auth", "dependencies": []},
                    {"agentId": "forms_agent", "focusArea": "Forms", "dependencies": ["auth_agent"]},
                    {
                        "agentId": "docs_agent",
                        "filesToCreate": ["docs/auth.md"],
                        "dependencies": ["forms_agent"],
                    },
                ],
                "integrationPlan": {"mergeOrder": ["auth_agent", "forms_agent", "docs_agent"]},
            }
        )
    )
    _, snapshot = load(repo)
    assert snapshot.plans[0].task_title == "Auth and forms"
    assert snapshot.agent("forms_agent").spec.focus_area == "Forms"
    docs = snapshot.agent("docs_agent")
    assert docs.status is AgentStatus.PLANNED and docs.facts.worktree is None


def test_malformed_plan_and_context_become_notices_not_crashes(workspace: dict[str, Path]) -> None:
    repo = workspace["repo"]
    plans = repo / "shared" / "deployment-plans"
    plans.mkdir(parents=True)
    (plans / "broken-deployment-plan.json").write_text('{"taskId": "X", "parallelAgents": [')
    (workspace["forms"] / "workspaces" / "forms_agent" / "agent_context.json").write_text("{not json")
    _, snapshot = load(repo)
    assert any("broken-deployment-plan.json: invalid JSON at line 1" in n for n in snapshot.notices)
    forms = next(a for a in snapshot.agents if a.facts.worktree == workspace["forms"])
    assert forms.facts.plain
    assert any("agent_context.json: invalid JSON" in p for p in forms.facts.problems)


def test_checklist_with_odd_lines_and_binary_file(workspace: dict[str, Path]) -> None:
    path = workspace["auth"] / "workspaces" / "auth_agent" / "validation_checklist.txt"
    path.write_text(
        "# Checklist\n\n1. [X] upper-case done\n- [ ] bullet\nnote [x] not an item\n2.[x] tight\n[y] no\n"
    )
    _, snapshot = load(workspace["repo"])
    assert snapshot.agent("auth_agent").progress == (2, 3)
    path.write_bytes(b"\x00\x01binary")
    _, snapshot = load(workspace["repo"])
    agent = snapshot.agent("auth_agent")
    assert agent.progress == (0, 0)
    assert any("binary file" in p for p in agent.facts.problems)


def test_worktree_whose_folder_was_deleted_is_missing(workspace: dict[str, Path]) -> None:
    shutil.rmtree(workspace["forms"])
    _, snapshot = load(workspace["repo"])
    forms = next(a for a in snapshot.agents if a.facts.branch == f"{TASK}-forms_agent")
    assert forms.status is AgentStatus.MISSING
    assert "worktree folder is missing" in forms.facts.problems[0]


def test_refresh_reads_only_the_touched_agent(workspace: dict[str, Path]) -> None:
    loader, snapshot = load(workspace["repo"])
    checklist = write_checklist(workspace["auth"], "auth_agent", [True, True])
    touched = loader.agents_touched(snapshot, {checklist})
    assert touched == {"auth_agent"}
    fresh = loader.refresh(snapshot, touched)
    assert fresh.agent("auth_agent").status is AgentStatus.COMPLETE
    assert fresh.agent("forms_agent").status is AgentStatus.READY  # re-derived: its dependency completed
    assert fresh.agent("spike").facts is snapshot.agent("spike").facts  # not re-read
    assert (
        loader.agents_touched(snapshot, {snapshot.paths.coordination_dir / "parallel-agent-status.yaml"})
        is None
    )


def test_repo_without_worktrees_has_a_notice(repo: Path) -> None:
    _, snapshot = load(repo)
    assert snapshot.agents == ()
    assert "no agent worktrees yet" in snapshot.notices[0]


def test_not_a_repo_and_unknown_target(tmp_path: Path, repo: Path) -> None:
    with pytest.raises(NotAGitRepoError, match="not a git repository"):
        resolve_paths(tmp_path, Config())
    with pytest.raises(CdevError, match="target branch 'nope' does not exist"):
        resolve_paths(repo, Config(target_branch="nope"))


def test_target_branch_is_detected(tmp_path: Path) -> None:
    repo = tmp_path / "p"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "trunk")
    commit_files(repo, {"a": "1\n"}, "init")
    assert resolve_paths(repo, Config()).target == "trunk"


def test_coordination_status_in_either_format_lists_spawned_agents(workspace: dict[str, Path]) -> None:
    repo = workspace["repo"]
    coordination = repo.parent / f"{repo.name}-work-trees" / "coordination"
    coordination.mkdir(parents=True)
    status = {
        "taskId": TASK,
        "taskTitle": "Auth and forms",
        "totalAgents": 3,
        "agents": [
            {
                "agentId": "auth_agent",
                "branchName": f"{TASK}-auth_agent",
                "status": "spawned",
                "dependencies": [],
            },
            {
                "agentId": "forms_agent",
                "branchName": f"{TASK}-forms_agent",
                "status": "spawned",
                "dependencies": ["auth_agent"],
            },
            {
                "agentId": "docs_agent",
                "branchName": f"{TASK}-docs_agent",
                "status": "spawned",
                "dependencies": [],
            },
        ],
    }
    (coordination / "parallel-agent-status.json").write_text(json.dumps(status))  # the JS-era variant
    _, snapshot = load(repo)
    docs = snapshot.agent("docs_agent")
    assert docs.status is AgentStatus.MISSING
    assert "lists docs_agent as spawned, but there is no worktree" in docs.facts.problems[0]
    (coordination / "parallel-agent-status.json").unlink()
    (coordination / "parallel-agent-status.yaml").write_text(yaml.safe_dump(status))  # the Python-era variant
    _, snapshot = load(repo)
    assert snapshot.agent("docs_agent").status is AgentStatus.MISSING
    assert snapshot.agent("auth_agent").status is AgentStatus.IN_PROGRESS  # the real worktree still wins
