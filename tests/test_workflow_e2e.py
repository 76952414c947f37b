"""The whole cdev workflow through the CLI on a real repository: plan → spawn → agents work → status →
complete + commit → integrate, and the integration branch holds exactly the merged work."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cdev_tui.cli import main
from tests.conftest import run_git, shop_repo


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith("{") else {}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return shop_repo(tmp_path, ignore="workspaces/\nshared/coordination/\nshared/reports/\n")


def test_plan_spawn_work_commit_integrate(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    common = ("--repo", str(shop), "--db", str(tmp_path / "c.db"), "--format", "json")
    task = tmp_path / "task.md"
    task.write_text(
        "# SHOP-9 Invoices and search\n\n- Render invoices as PDF\n- Rank catalog search results\n"
    )

    code, plan = cli(capsys, "plan", "--from", str(task), "--write", *common)
    assert code == 0 and len(plan["parallelAgents"]) == 2
    plan_path = shop / "shared" / "deployment-plans" / "shop-9-deployment-plan.json"
    assert plan_path.is_file()

    code, spawned = cli(capsys, "spawn", str(plan_path), *common)
    assert code == 0 and {a["outcome"] for a in spawned["agents"]} == {"created"}

    # Each agent works as an agent would: edits its own files in its worktree.
    worktrees = {a["id"]: Path(a["worktree"]) for a in spawned["agents"]}
    owned = {e["agentId"]: e["filesToCreate"] + e["filesToModify"] for e in plan["parallelAgents"]}
    expected: dict[str, str] = {}
    for agent_id, worktree in worktrees.items():
        for path in owned[agent_id]:
            content = f"# written by {agent_id}\n"
            expected[path] = content
            target = worktree / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)

    code, status = cli(capsys, "status", *common)
    states = {a["id"]: a for a in status["agents"]}
    assert all(s["status"] in ("in progress", "blocked") for s in states.values())
    assert all(s["violations"] == [] for s in states.values())

    for agent_id in worktrees:
        assert cli(capsys, "agent", "complete", agent_id, *common)[0] == 0
        code, committed = cli(capsys, "agent", "commit", agent_id, *common)
        assert code == 0, committed
        subject = run_git(worktrees[agent_id], "log", "-1", "--format=%s")
        assert subject.startswith(f"feat({agent_id})")
    code, status = cli(capsys, "status", *common)
    assert {a["status"] for a in status["agents"]} == {"committed"}

    main_before = run_git(shop, "rev-parse", "main")
    code, result = cli(capsys, "integrate", "--yes", "--test-cmd", "python -c 'import shop'", *common)
    assert code == 0 and result["ok"] is True
    assert [s["agent"] for s in result["steps"]] == plan["integrationPlan"]["mergeOrder"]
    assert all(s["merged"] and s["test_passed"] for s in result["steps"])
    branch = result["integration_branch"]
    for path, content in expected.items():
        assert run_git(shop, "show", f"{branch}:{path}") + "\n" == content
    assert run_git(shop, "rev-parse", "main") == main_before  # the target is untouched without --finish
    report = Path(result["report"]["markdown"]).read_text()
    for agent_id in worktrees:
        assert agent_id in report
