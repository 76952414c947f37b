"""The demo workspace: real repository, worktrees, workspace files, conflicts and the planted token."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import tomllib
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

import pytest
import yaml

from cdev_tui.checklist import read_checklist
from cdev_tui.demo import DemoWorkspace, build_demo, demo_is_built, demo_plan, fake_github_token
from cdev_tui.errors import CdevError
from cdev_tui.gitops import list_worktrees
from cdev_tui.plan import load_plan

NOW = datetime(2025, 7, 10, 12, 0, tzinfo=UTC)
TOKEN_RE = re.compile(r"ghp_[A-Za-z0-9]{36}")
IDENTITY = ("-c", "user.name=cdev test", "-c", "user.email=test@cdev.invalid")
AGENTS = ["db_agent", "catalog_agent", "api_agent", "auth_agent", "cart_agent"]
STAGES = {"db_agent": 4, "catalog_agent": 4, "api_agent": 3, "auth_agent": 2, "cart_agent": 0}
STATUSES = {
    "db_agent": "merged",
    "catalog_agent": "committed",
    "api_agent": "in_progress",
    "auth_agent": "in_progress",
    "cart_agent": "blocked",
}
# Committed branches that conflict, and the file they conflict on.
CONFLICTS = {
    frozenset({"auth_agent", "api_agent"}): ["src/shopfront/api/routes.py"],
    frozenset({"catalog_agent", "api_agent"}): ["shared/coordination/validation-status.yaml"],
}


def git(
    cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *IDENTITY, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=check,
        env={**os.environ, **(env or {})},
    )


def merge_tree(repo: Path, ours: str, theirs: str) -> list[str]:
    """The files ``git merge-tree --write-tree`` reports as conflicted (empty when the merge is clean)."""
    result = git(
        repo, "merge-tree", "--write-tree", "--name-only", "--no-messages", ours, theirs, check=False
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout.strip().splitlines()[1:] if result.returncode == 1 else []


def snapshot(worktree: Path, scratch: Path) -> str:
    """A commit holding the worktree's files as they are, uncommitted work included (real index untouched)."""
    env = {"GIT_INDEX_FILE": str(scratch / f"{worktree.name}.index")}
    git(worktree, "read-tree", "HEAD", env=env)
    git(worktree, "add", "-A", env=env)
    tree = git(worktree, "write-tree", env=env).stdout.strip()
    return git(worktree, "commit-tree", tree, "-p", "HEAD", "-m", "snapshot").stdout.strip()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoWorkspace, float]:
    dest = tmp_path_factory.mktemp("demo")
    started = time.perf_counter()
    workspace = build_demo(dest, now=NOW)
    return workspace, time.perf_counter() - started


@pytest.fixture(scope="module")
def demo(built: tuple[DemoWorkspace, float]) -> DemoWorkspace:
    return built[0]


def test_build_is_fast(built: tuple[DemoWorkspace, float]) -> None:
    assert built[1] < 10


def test_layout(demo: DemoWorkspace) -> None:
    dest = demo.repo.parent
    assert demo.repo == dest / "shopfront"
    assert demo.worktrees_root == dest / "shopfront-work-trees"
    assert demo.plan_path == demo.repo / "shared" / "deployment-plans" / "shop-42-deployment-plan.json"
    assert demo.agents == AGENTS
    assert sorted(p.name for p in dest.iterdir()) == ["shopfront", "shopfront-work-trees"]
    assert sorted(p.name for p in demo.worktrees_root.iterdir()) == sorted(
        ["coordination", *(f"SHOP-42-{a}" for a in AGENTS)]
    )
    assert demo_is_built(dest)
    assert git(demo.repo, "rev-parse", "--show-toplevel").stdout.strip() == str(demo.repo)


def test_main_has_the_config_and_the_plan(demo: DemoWorkspace) -> None:
    tracked = git(demo.repo, "ls-files").stdout.split()
    assert ".cdev/config.toml" in tracked
    assert "shared/deployment-plans/shop-42-deployment-plan.json" in tracked
    assert ".gitignore" in tracked
    assert len([p for p in tracked if p.endswith(".py")]) >= 25
    config = tomllib.loads((demo.repo / ".cdev" / "config.toml").read_text())
    assert config == {
        "target_branch": "main",
        "test_command": "python -m pytest -q",
        "osv_db": ".git/cdev-demo-osv",  # the offline advisories for the pinned requests
        "agent_program": "demo",  # the scripted stand-in agent: no agent CLI or account needed
    }
    plan = load_plan(demo.plan_path)
    assert plan.task_id == "SHOP-42"
    assert [a.agent_id for a in plan.agents] == AGENTS
    assert json.loads(demo.plan_path.read_text())["integration_order"] == list(plan.merge_order)
    assert all(len(a.validation_criteria) == 4 for a in plan.agents)
    assert all(len(owners) == 1 for owners in plan.owners().values()), "ownership must be exclusive"
    deps = {a.agent_id: set(a.dependencies) for a in plan.agents}
    assert deps["api_agent"] == deps["auth_agent"] == {"db_agent"}
    assert deps["cart_agent"] == {"catalog_agent", "auth_agent"}


def test_linear_cache_and_workspaces_are_ignored(demo: DemoWorkspace) -> None:
    cache = demo.repo / ".linear-cache" / "SHOP-42.json"
    assert json.loads(cache.read_text())["identifier"] == "SHOP-42"
    ignored = git(
        demo.repo, "check-ignore", ".linear-cache/SHOP-42.json", "workspaces/x", ".env", "a/__pycache__/b"
    )
    assert len(ignored.stdout.split()) == 4
    assert git(demo.repo, "status", "--porcelain").stdout == ""


def test_worktrees(demo: DemoWorkspace) -> None:
    entries = list_worktrees(demo.repo)
    assert entries[0].path == demo.repo and entries[0].branch == "main"
    linked = {e.branch: e.path for e in entries[1:]}
    assert linked == {f"SHOP-42-{a}": demo.worktrees_root / f"SHOP-42-{a}" for a in AGENTS}
    assert all(demo.worktree(a).is_dir() for a in AGENTS)


def test_checklists_are_at_their_stages(demo: DemoWorkspace) -> None:
    for agent in AGENTS:
        workspace = demo.worktree(agent) / "workspaces" / agent
        checklist = read_checklist(workspace / "validation_checklist.txt")
        assert checklist is not None
        assert (checklist.done, checklist.total) == (STAGES[agent], 4), agent
        assert (workspace / "COMPLETED").exists() == (agent == "catalog_agent")
    marker = demo.worktree("catalog_agent") / "workspaces" / "catalog_agent" / "COMPLETED"
    assert marker.read_bytes() == b""


def test_workspace_files(demo: DemoWorkspace) -> None:
    plan = demo_plan()
    for entry in plan["parallelAgents"]:
        agent = entry["agentId"]
        workspace = demo.worktree(agent) / "workspaces" / agent
        as_yaml = yaml.safe_load((workspace / "agent_context.yaml").read_text())
        as_json = json.loads((workspace / "agent_context.json").read_text())
        assert as_yaml == as_json
        assert as_json["agentId"] == agent
        assert as_json["branchName"] == f"SHOP-42-{agent}"
        assert as_json["workTreePath"] == str(demo.worktree(agent))
        assert as_json["agentInstances"] == [entry]
        assert as_json["createdAt"].endswith("Z")
        files = (workspace / "files_to_work_on.txt").read_text()
        expected = [f"CREATE: {p}" for p in entry["filesToCreate"]] + [
            f"MODIFY: {p}" for p in entry["filesToModify"]
        ]
        assert files == "\n".join(expected) + "\n"
        assert (workspace / "test_contracts.txt").read_text().splitlines() == entry["testContracts"]


def test_coordination_status(demo: DemoWorkspace) -> None:
    folder = demo.coordination_dir
    as_yaml = yaml.safe_load((folder / "parallel-agent-status.yaml").read_text())
    as_json = json.loads((folder / "parallel-agent-status.json").read_text())
    assert as_yaml == as_json
    assert as_json["taskId"] == "SHOP-42" and as_json["totalAgents"] == 5
    agents = {a["agentId"]: a for a in as_json["agents"]}
    assert {a: agents[a]["status"] for a in AGENTS} == STATUSES

    def parse(stamp: str) -> datetime:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    for agent in ("db_agent", "catalog_agent"):
        assert (
            NOW - timedelta(hours=3)
            < parse(agents[agent]["startedAt"])
            < parse(agents[agent]["completedAt"])
            < NOW
        )
    for agent in ("api_agent", "auth_agent"):
        assert parse(agents[agent]["startedAt"]) > parse(agents["db_agent"]["completedAt"])
        assert agents[agent]["completedAt"] is None
    assert agents["cart_agent"]["startedAt"] is None
    assert parse(as_json["createdAt"]) <= parse(as_json["lastUpdated"]) <= NOW


def test_commits_are_dated_over_the_last_three_hours(demo: DemoWorkspace) -> None:
    log = git(demo.repo, "log", "--all", "--format=%an|%ae|%cn|%ct").stdout.splitlines()
    assert len(log) >= 10
    for line in log:
        author, email, committer, stamp = line.split("|")
        assert (author, email, committer) == ("cdev demo", "demo@cdev.invalid", "cdev demo")
        assert NOW - timedelta(hours=3, minutes=5) <= datetime.fromtimestamp(int(stamp), UTC) <= NOW


def test_branch_states(demo: DemoWorkspace) -> None:
    repo = demo.repo
    assert (
        git(repo, "merge-base", "--is-ancestor", demo.branch("db_agent"), "main", check=False).returncode == 0
    )
    parents = git(repo, "rev-list", "--parents", "-n", "1", "main").stdout.split()
    assert len(parents) == 3, "main's tip is a --no-ff merge"
    spawn_point = git(repo, "rev-parse", f"{demo.branch('cart_agent')}").stdout.strip()
    assert git(repo, "merge-base", "--is-ancestor", spawn_point, "main", check=False).returncode == 0
    for agent in ("catalog_agent", "api_agent", "auth_agent"):
        ahead = git(repo, "rev-list", "--count", f"{spawn_point}..{demo.branch(agent)}").stdout.strip()
        assert int(ahead) >= 2, agent
        assert (
            git(repo, "merge-base", "--is-ancestor", demo.branch(agent), "main", check=False).returncode == 1
        )
    for agent in ("db_agent", "catalog_agent", "api_agent", "auth_agent"):
        assert git(demo.worktree(agent), "status", "--porcelain").stdout == "", agent
    cart_status = git(demo.worktree("cart_agent"), "status", "--porcelain").stdout.splitlines()
    assert " M src/shopfront/catalog/pricing.py" in cart_status
    assert "?? src/shopfront/cart/checkout.py" in cart_status


def test_ownership_violations_are_committed(demo: DemoWorkspace) -> None:
    spawn_point = git(demo.repo, "rev-parse", demo.branch("cart_agent")).stdout.strip()
    owners = {path: agents[0] for path, agents in load_plan(demo.plan_path).owners().items()}

    def changed(agent: str) -> set[str]:
        out = git(demo.repo, "diff", "--name-only", spawn_point, demo.branch(agent)).stdout
        return set(out.split())

    assert owners["src/shopfront/api/routes.py"] == "api_agent"
    assert "src/shopfront/api/routes.py" in changed("auth_agent") & changed("api_agent")
    shared = "shared/coordination/validation-status.yaml"
    assert shared in changed("catalog_agent") & changed("api_agent")
    assert shared not in owners
    assert owners["src/shopfront/catalog/pricing.py"] == "catalog_agent"
    assert "src/shopfront/catalog/pricing.py" in changed("catalog_agent")


@pytest.mark.parametrize("pair", list(combinations(AGENTS, 2)), ids=lambda p: "x".join(a[:-6] for a in p))
def test_committed_branches_conflict_only_where_planted(demo: DemoWorkspace, pair: tuple[str, str]) -> None:
    ours, theirs = pair
    conflicted = merge_tree(demo.repo, demo.branch(ours), demo.branch(theirs))
    assert conflicted == CONFLICTS.get(frozenset(pair), [])


@pytest.mark.parametrize("agent", AGENTS)
def test_every_branch_merges_cleanly_into_main(demo: DemoWorkspace, agent: str) -> None:
    assert merge_tree(demo.repo, "main", demo.branch(agent)) == []


def test_cart_conflicts_with_catalog_only_with_uncommitted_work(demo: DemoWorkspace, tmp_path: Path) -> None:
    cart = demo.worktree("cart_agent")
    index_before = (demo.repo / ".git" / "worktrees" / cart.name / "index").read_bytes()
    status_before = git(cart, "status", "--porcelain").stdout
    snap = snapshot(cart, tmp_path)
    assert merge_tree(demo.repo, demo.branch("catalog_agent"), snap) == ["src/shopfront/catalog/pricing.py"]
    for agent in ("db_agent", "api_agent", "auth_agent"):
        assert merge_tree(demo.repo, demo.branch(agent), snap) == [], agent
    assert merge_tree(demo.repo, "main", snap) == []
    assert (demo.repo / ".git" / "worktrees" / cart.name / "index").read_bytes() == index_before
    assert git(cart, "status", "--porcelain").stdout == status_before


def test_planted_token(demo: DemoWorkspace) -> None:
    auth = demo.worktree("auth_agent")
    hits = []
    for path in sorted(auth.rglob("*")):
        if path.is_file() and ".git" not in path.parts:
            hits += [(path, m) for m in TOKEN_RE.findall(path.read_text(errors="replace"))]
    assert hits == [(demo.secret_file, fake_github_token())]
    assert demo.secret_file is not None
    text = demo.secret_file.read_text()
    assert re.search(r'^GITHUB_TOKEN = "ghp_[A-Za-z0-9]{36}"$', text, re.M)
    assert "FAKE" in text
    committed = git(demo.repo, "show", f"{demo.branch('auth_agent')}:src/shopfront/auth/tokens.py").stdout
    assert fake_github_token() in committed
    for agent in AGENTS:
        if agent != "auth_agent":
            found = git(demo.repo, "grep", "-E", "ghp_[A-Za-z0-9]{36}", demo.branch(agent), check=False)
            assert found.returncode == 1, agent


def test_no_token_literal_in_the_demo_sources() -> None:
    root = Path(__file__).resolve().parents[1]
    files = [root / "cdev_tui" / "demo.py", root / "cdev_tui" / "workspace_files.py", Path(__file__)]
    files += [p for p in (root / "assets" / "demo").rglob("*") if p.is_file() and "cache" not in str(p)]
    for path in files:
        assert not TOKEN_RE.search(path.read_text(errors="replace")), path


def test_rebuild_is_deterministic_and_leaves_nothing_outside(demo: DemoWorkspace, tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")  # building inside another repository is fine: the demo is its own repo
    dest = outer / "dest"
    first = build_demo(dest, now=NOW)
    refs = ["main", *(first.branch(a) for a in AGENTS)]

    def heads(workspace: DemoWorkspace) -> list[str]:
        return [git(workspace.repo, "rev-parse", ref).stdout.strip() for ref in refs]

    assert heads(first) == heads(demo)
    (first.worktree("api_agent") / "scratch.txt").write_text("user experiment\n")
    again = build_demo(dest, now=NOW)
    assert heads(again) == heads(demo)
    assert not (again.worktree("api_agent") / "scratch.txt").exists()
    assert sorted(p.name for p in outer.iterdir()) == [".git", "dest"]
    assert sorted(p.name for p in dest.iterdir()) == ["shopfront", "shopfront-work-trees"]
    assert git(outer, "status", "--porcelain").stdout == "?? dest/\n"
    leftovers = [p for p in dest.rglob("*.tmp")]
    assert leftovers == []
    with pytest.raises(CdevError, match="already built"):
        build_demo(dest, now=NOW, replace=False)


def test_refuses_a_foreign_destination(tmp_path: Path) -> None:
    foreign = tmp_path / "shopfront"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine\n")
    with pytest.raises(CdevError, match="not a cdev-tui demo"):
        build_demo(tmp_path, now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shopfront"]
    assert (foreign / "notes.txt").read_text() == "mine\n"
    assert not demo_is_built(tmp_path)


def test_refuses_a_foreign_git_repository_and_worktrees_folder(tmp_path: Path) -> None:
    repo = tmp_path / "a" / "shopfront"
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    with pytest.raises(CdevError):
        build_demo(tmp_path / "a", now=NOW)
    assert sorted(p.name for p in repo.iterdir()) == [".git"]
    trees = tmp_path / "b" / "shopfront-work-trees"
    trees.mkdir(parents=True)
    with pytest.raises(CdevError, match="shopfront-work-trees"):
        build_demo(tmp_path / "b", now=NOW)
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["shopfront-work-trees"]


def test_fake_token_is_deterministic() -> None:
    token = fake_github_token()
    assert TOKEN_RE.fullmatch(token)
    assert token == fake_github_token()
    assert fake_github_token("other seed") != token
