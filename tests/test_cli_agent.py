"""``cdev-tui agent ...`` and the stalled/elapsed columns of ``cdev-tui status``: exit codes, JSON, prompts."""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cdev_tui import gitops
from cdev_tui.cli import main
from cdev_tui.demo import DemoWorkspace, build_demo
from tests.conftest import run_git


@pytest.fixture
def demo(tmp_path: Path) -> DemoWorkspace:
    return build_demo(tmp_path / "demo")


class FakeTerminal(io.StringIO):
    """Standard input that says it is a terminal, with the user's answer already typed."""

    def isatty(self) -> bool:
        return True


def agent(demo: DemoWorkspace, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["agent", *argv, "--repo", str(demo.repo), "--db", str(demo.repo.parent / "c.db")])
    out, err = capsys.readouterr()
    return code, out, err


def agent_json(demo: DemoWorkspace, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code, out, _ = agent(demo, capsys, *argv, "--format", "json")
    return code, json.loads(out)


@pytest.fixture(autouse=True)
def not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def test_check_json_and_the_coordination_status_follows(
    demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = agent_json(demo, capsys, "check", "api_agent", "4")
    assert code == 0 and data["ok"] is True and data["action"] == "check" and data["agent"] == "api_agent"
    assert (data["result"]["done"], data["result"]["total"]) == (4, 4)
    assert "api_agent in_progress → committed" in data["coordination"]
    status = json.loads((demo.coordination_dir / "parallel-agent-status.json").read_text())
    api = next(a for a in status["agents"] if a["agentId"] == "api_agent")
    assert api["status"] == "committed" and api["completedAt"]

    code, out, _ = agent(demo, capsys, "uncheck", "api_agent", "1", "2")
    assert code == 0 and out.strip() == "api_agent: unticked 1, 2 (2/4 done)"


def test_options_before_or_after_the_action(demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(demo.repo.parent / "c.db")
    assert (
        main(["agent", "--repo", str(demo.repo), "--format", "json", "complete", "cart_agent", "--db", db])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["result"]["completed_marker"] is True


def test_bad_input_exits_2_with_one_line(demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = agent(demo, capsys, "check", "nobody_agent", "1")
    assert code == 2 and out == ""
    assert err.strip() == (
        "cdev-tui: error: unknown agent 'nobody_agent' "
        "(known: db_agent, catalog_agent, api_agent, auth_agent, cart_agent)"
    )
    code, _, err = agent(demo, capsys, "check", "api_agent", "12")
    assert code == 2 and "validation_checklist.txt: no checklist item 12 (it has 4)" in err
    assert len(err.strip().splitlines()) == 1


def test_commit_refused_by_the_gate_then_allowed(
    demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    main_head = run_git(demo.repo, "rev-parse", "main")
    code, data = agent_json(demo, capsys, "commit", "cart_agent")
    assert code == 1 and data["ok"] is False and "checklist incomplete (0/4)" in data["message"]
    code, _, err = agent(demo, capsys, "commit", "cart_agent")
    assert code == 1 and err.startswith("cdev-tui: refused: cart_agent: checklist incomplete")

    code, data = agent_json(demo, capsys, "commit", "cart_agent", "--allow-incomplete", "-m", "wip: cart")
    assert code == 0 and data["result"]["subject"] == "wip: cart"
    assert run_git(demo.worktree("cart_agent"), "rev-parse", "HEAD") == data["result"]["sha"]
    assert run_git(demo.repo, "rev-parse", "main") == main_head


def test_remove_needs_yes_without_a_terminal(demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = agent(demo, capsys, "remove", "catalog_agent")
    assert code == 2 and "needs confirmation; pass --yes" in err
    assert demo.worktree("catalog_agent").is_dir()

    code, _, err = agent(demo, capsys, "remove", "cart_agent", "--yes")
    assert code == 1 and "3 uncommitted change(s)" in err and demo.worktree("cart_agent").is_dir()

    code, data = agent_json(demo, capsys, "remove", "cart_agent", "--force", "--yes")
    assert code == 0 and data["result"]["forced"] is True
    assert not demo.worktree("cart_agent").exists()
    assert gitops.ref_exists(demo.repo, "refs/heads/SHOP-42-cart_agent")


def test_remove_asks_on_a_terminal(
    demo: DemoWorkspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", FakeTerminal("n\n"))
    code, _, err = agent(demo, capsys, "remove", "catalog_agent")
    assert code == 1 and "(the branch stays)? [y/N]" in err and "cancelled, nothing changed" in err
    assert demo.worktree("catalog_agent").is_dir()

    monkeypatch.setattr("sys.stdin", FakeTerminal("y\n"))
    code, out, _ = agent(demo, capsys, "remove", "catalog_agent")
    assert code == 0 and "removed worktree" in out
    assert not demo.worktree("catalog_agent").exists()


def test_delete_branch_and_prune(demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = agent(demo, capsys, "delete-branch", "db_agent", "--yes")
    assert code == 1 and "checked out in" in err
    assert agent(demo, capsys, "remove", "db_agent", "--yes")[0] == 0
    code, data = agent_json(demo, capsys, "delete-branch", "db_agent", "--yes")
    assert code == 0 and data["result"]["target"] == "main"
    assert not gitops.ref_exists(demo.repo, "refs/heads/SHOP-42-db_agent")

    shutil.rmtree(demo.worktree("catalog_agent"))
    code, out = (
        main(["agent", "prune", "--repo", str(demo.repo), "--format", "json"]),
        capsys.readouterr().out,
    )
    assert code == 0 and json.loads(out)["result"]["pruned"][0].startswith("SHOP-42-catalog_agent")
    code, out, _ = agent(demo, capsys, "prune")
    assert code == 0 and out.strip() == "no stale worktrees to prune"


def test_open_dry_run_and_run(
    demo: DemoWorkspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    worktree = str(demo.worktree("api_agent"))
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("EDITOR", "nano -w")
    code, out, _ = agent(demo, capsys, "open", "api_agent", "editor", "--dry-run")
    assert code == 0 and shlex.split(out) == ["nano", "-w", worktree]

    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1,0")
    code, data = agent_json(demo, capsys, "open", "api_agent", "agent", "--dry-run")
    assert data["argv"] == ["tmux", "new-window", "-c", worktree, "-n", "api_agent", "claude"]

    monkeypatch.delenv("TMUX")
    monkeypatch.setenv("SHELL", "true")
    assert agent(demo, capsys, "open", "api_agent", "shell")[0] == 0
    monkeypatch.setenv("CDEV_TUI_AGENT_COMMAND", "false")
    assert agent(demo, capsys, "open", "api_agent", "agent")[0] == 1
    monkeypatch.setenv("CDEV_TUI_AGENT_COMMAND", "no-such-agent-cli-here")
    code, _, err = agent(demo, capsys, "open", "api_agent", "agent")
    assert code == 2 and "no-such-agent-cli-here: command not found" in err


def test_status_shows_stalled_and_elapsed(
    demo: DemoWorkspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "220")
    db = str(demo.repo.parent / "c.db")
    old = (datetime.now(UTC) - timedelta(hours=2)).timestamp()
    os.utime(demo.worktree("api_agent") / "workspaces" / "api_agent" / "validation_checklist.txt", (old, old))
    assert main(["status", "--repo", str(demo.repo), "--db", db, "--format", "json"]) == 0
    agents = {a["id"]: a for a in json.loads(capsys.readouterr().out)["agents"]}
    api = agents["api_agent"]
    assert api["stalled"] is True and agents["auth_agent"]["stalled"] is False
    assert api["estimated_minutes"] == 40 and 99 <= api["elapsed_minutes"] <= 101 and api["over_estimate"]
    assert datetime.fromisoformat(api["last_activity"]) < datetime.now(UTC) - timedelta(minutes=50)
    assert agents["cart_agent"]["elapsed_minutes"] is None and agents["cart_agent"]["last_activity"]

    assert main(["status", "--repo", str(demo.repo), "--db", db]) == 0
    table = capsys.readouterr().out
    assert "stalled" in table and "/ 40m" in table
