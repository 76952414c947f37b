"""Keeping parallel-agent-status.{yaml,json} current, on the demo workspace and a small real repository."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from cdev_tui.actions import check_items, mark_complete, uncheck_items
from cdev_tui.config import Config
from cdev_tui.coordination import sync_coordination_status
from cdev_tui.demo import DemoWorkspace, build_demo
from cdev_tui.errors import CdevError
from cdev_tui.workspace import WorkspaceLoader, WorkspaceSnapshot, resolve_paths
from cdev_tui.workspace_files import agent_context, iso_utc, write_agent_workspace, write_coordination_status
from tests.conftest import run_git

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def load(repo: Path) -> WorkspaceSnapshot:
    return WorkspaceLoader(resolve_paths(repo, Config())).load()


def read_both(coord: Path) -> tuple[dict, dict]:
    yaml_data = yaml.safe_load((coord / "parallel-agent-status.yaml").read_text())
    json_data = json.loads((coord / "parallel-agent-status.json").read_text())
    return yaml_data, json_data


def mtimes(coord: Path) -> list[int]:
    return [(coord / f"parallel-agent-status.{ext}").stat().st_mtime_ns for ext in ("yaml", "json")]


def entry(document: dict, agent_id: str) -> dict:
    return next(a for a in document["agents"] if a["agentId"] == agent_id)


@pytest.fixture
def demo(tmp_path: Path) -> DemoWorkspace:
    return build_demo(tmp_path / "demo", now=NOW)


def test_the_demo_is_already_in_sync_so_nothing_is_written(demo: DemoWorkspace) -> None:
    before = mtimes(demo.coordination_dir)
    result = sync_coordination_status(load(demo.repo), demo.coordination_dir, NOW)
    assert result.written == () and result.changes == ()
    assert mtimes(demo.coordination_dir) == before


def test_completion_is_recorded_once_in_both_formats_keeping_unknown_keys_and_agents(
    demo: DemoWorkspace,
) -> None:
    coord = demo.coordination_dir
    document, _ = read_both(coord)
    document["customKey"] = {"owner": "ops"}
    document["agents"].append({"agentId": "legacy_agent", "status": "spawned", "note": "kept"})
    entry(document, "api_agent")["reviewer"] = "sam"
    write_coordination_status(coord, document)
    api_started = entry(document, "api_agent")["startedAt"]

    check_items(load(demo.repo).agent("api_agent"), [4])
    later = NOW + timedelta(minutes=5)
    result = sync_coordination_status(load(demo.repo), coord, later)
    assert result.changes == ("api_agent in_progress → committed", "api_agent completed")
    assert len(result.written) == 2
    yaml_data, json_data = read_both(coord)
    assert yaml_data == json_data
    api = entry(json_data, "api_agent")
    assert api["status"] == "committed"
    assert api["completedAt"] == iso_utc(later) and api["lastUpdated"] == iso_utc(later)
    assert api["startedAt"] == api_started and api["reviewer"] == "sam"
    assert json_data["lastUpdated"] == iso_utc(later)
    assert json_data["customKey"] == {"owner": "ops"}
    assert entry(json_data, "legacy_agent") == {
        "agentId": "legacy_agent",
        "status": "spawned",
        "note": "kept",
    }
    assert entry(json_data, "cart_agent") == entry(document, "cart_agent")

    before = mtimes(coord)
    again = sync_coordination_status(load(demo.repo), coord, later + timedelta(hours=1))
    assert again.written == () and mtimes(coord) == before
    assert entry(read_both(coord)[1], "api_agent")["completedAt"] == iso_utc(later)


def test_reopening_clears_the_completion_time(demo: DemoWorkspace) -> None:
    uncheck_items(load(demo.repo).agent("catalog_agent"), [1])
    result = sync_coordination_status(load(demo.repo), demo.coordination_dir, NOW)
    assert "catalog_agent reopened" in result.changes
    catalog = entry(read_both(demo.coordination_dir)[1], "catalog_agent")
    assert catalog["status"] == "in_progress" and catalog["completedAt"] is None
    assert catalog["startedAt"] is not None


def test_a_json_only_status_from_the_js_era_gains_its_yaml_twin(demo: DemoWorkspace) -> None:
    coord = demo.coordination_dir
    (coord / "parallel-agent-status.yaml").unlink()
    result = sync_coordination_status(load(demo.repo), coord, NOW)
    assert result.changes == () and len(result.written) == 2
    yaml_data, json_data = read_both(coord)
    assert yaml_data == json_data


def test_a_malformed_status_file_is_an_error_and_stays_untouched(demo: DemoWorkspace) -> None:
    coord = demo.coordination_dir
    for name in ("parallel-agent-status.yaml", "parallel-agent-status.json"):
        (coord / name).unlink()
    bad = coord / "parallel-agent-status.json"
    bad.write_text('{"taskId": "SHOP-42", "agents": [')
    snapshot = load(demo.repo)
    with pytest.raises(CdevError, match=r"parallel-agent-status.json: invalid JSON at line 1"):
        sync_coordination_status(snapshot, coord, NOW)
    bad.write_text('{"taskId": "SHOP-42", "agents": {"a": 1}}')
    with pytest.raises(
        CdevError, match=r"parallel-agent-status.json: expected a mapping with an 'agents' list"
    ):
        sync_coordination_status(snapshot, coord, NOW)
    assert bad.read_text() == '{"taskId": "SHOP-42", "agents": {"a": 1}}'
    assert not (coord / "parallel-agent-status.yaml").exists()


def spawn(repo: Path, agent_id: str, **entry_fields: object) -> Path:
    """A worktree with cdev's workspace files, as spawn writes them (no coordination status)."""
    branch = f"T-9-{agent_id}"
    worktree = repo.parent / "project-work-trees" / branch
    run_git(repo, "worktree", "add", "-q", "-b", branch, str(worktree))
    plan = {"taskId": "T-9", "taskTitle": "Small task", "parallelAgents": []}
    spec = {"agentId": agent_id, "validationCriteria": ["one", "two"], **entry_fields}
    context = agent_context(
        plan, spec, branch=branch, worktree=worktree, created_at="2026-03-01T10:00:00.000Z"
    )
    write_agent_workspace(worktree, context)
    return worktree


def test_created_when_a_task_id_is_known_then_started_and_completed_once(repo: Path) -> None:
    (repo / ".gitignore").write_text("workspaces/\n")
    run_git(repo, "add", ".gitignore")
    run_git(repo, "commit", "-q", "-m", "ignore workspaces")
    spawn(repo, "solo_agent")
    coord = repo.parent / "project-work-trees" / "coordination"

    first = sync_coordination_status(load(repo), coord, NOW)
    assert first.changes[0] == "created for T-9"
    yaml_data, json_data = read_both(coord)
    assert yaml_data == json_data
    solo = entry(json_data, "solo_agent")
    assert solo["branchName"] == "T-9-solo_agent"
    assert (solo["status"], solo["startedAt"], solo["completedAt"]) == ("ready", None, None)
    assert json_data["taskId"] == "T-9" and json_data["totalAgents"] == 1

    check_items(load(repo).agent("solo_agent"), [1])
    t1 = NOW + timedelta(minutes=10)
    sync_coordination_status(load(repo), coord, t1)
    solo = entry(read_both(coord)[1], "solo_agent")
    assert (solo["status"], solo["startedAt"]) == ("in_progress", iso_utc(t1))

    mark_complete(load(repo).agent("solo_agent"))
    t2 = NOW + timedelta(minutes=20)
    sync_coordination_status(load(repo), coord, t2)
    solo = entry(read_both(coord)[1], "solo_agent")
    assert (solo["status"], solo["startedAt"], solo["completedAt"]) == ("complete", iso_utc(t1), iso_utc(t2))

    before = mtimes(coord)
    assert sync_coordination_status(load(repo), coord, t2 + timedelta(hours=2)).written == ()
    assert mtimes(coord) == before


def test_started_at_is_the_first_commit_when_there_is_one(repo: Path) -> None:
    worktree = spawn(repo, "early_agent")
    (worktree / "src" / "early.py").write_text("EARLY = 1\n")
    run_git(worktree, "add", "src/early.py")
    committed = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    env = {
        **os.environ,
        "GIT_COMMITTER_DATE": committed.isoformat(),
        "GIT_AUTHOR_DATE": committed.isoformat(),
    }
    subprocess.run(["git", "commit", "-q", "-m", "early work"], cwd=worktree, env=env, check=True)
    coord = repo.parent / "project-work-trees" / "coordination"
    sync_coordination_status(load(repo), coord, NOW)
    early = entry(read_both(coord)[1], "early_agent")
    assert early["status"] == "in_progress" and early["startedAt"] == iso_utc(committed)


def test_no_task_id_means_no_file(repo: Path) -> None:
    plain = repo.parent / "project-work-trees" / "spike"
    run_git(repo, "worktree", "add", "-q", "-b", "spike", str(plain))
    coord = repo.parent / "project-work-trees" / "coordination"
    result = sync_coordination_status(load(repo), coord, NOW)
    assert result.written == () and "no task id" in result.message
    assert not coord.exists()


def test_a_new_agent_of_the_same_task_is_added(demo: DemoWorkspace) -> None:
    coord = demo.coordination_dir
    document, _ = read_both(coord)
    document["agents"] = [a for a in document["agents"] if a["agentId"] != "cart_agent"]
    document["totalAgents"] = 4
    write_coordination_status(coord, document)
    result = sync_coordination_status(load(demo.repo), coord, NOW)
    assert result.changes == ("cart_agent added", "cart_agent spawned → blocked")
    data = read_both(coord)[1]
    assert data["totalAgents"] == 5
    cart = entry(data, "cart_agent")
    assert cart["dependencies"] == ["catalog_agent", "auth_agent"] and cart["canStartImmediately"] is False
