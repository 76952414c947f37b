"""The headless CLI twin: JSON shapes, tables, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cdev_tui import __version__
from cdev_tui.cli import main
from cdev_tui.demo import build_demo, fake_github_token
from tests.apptools import FROZEN_NOW


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), now=FROZEN_NOW).repo


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_status_json_lists_agents_with_status_progress_dependencies_and_violations(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = run_json(
        capsys, "status", "--repo", str(demo), "--db", str(tmp_path / "c.db"), "--format", "json"
    )
    assert code == 0
    agents = {a["id"]: a for a in data["agents"]}
    assert list(agents) == ["db_agent", "catalog_agent", "api_agent", "auth_agent", "cart_agent"]
    assert {a: agents[a]["status"] for a in agents} == {
        "db_agent": "merged",
        "catalog_agent": "committed",
        "api_agent": "in progress",
        "auth_agent": "in progress",
        "cart_agent": "blocked",
    }
    assert agents["api_agent"]["progress"] == {"done": 3, "total": 4, "fraction": 0.75}
    assert agents["cart_agent"]["dependencies"] == ["catalog_agent", "auth_agent"]
    assert agents["cart_agent"]["blocked_by"] == ["auth_agent"]
    assert {"path": "src/shopfront/api/routes.py", "owner": "api_agent", "uncommitted": False} in agents[
        "auth_agent"
    ]["violations"]
    assert data["target"] == "main"


def test_repo_and_db_may_come_before_the_command(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # not a repository: only --repo says where to look
    code, data = run_json(
        capsys, "--repo", str(demo), "--db", str(tmp_path / "c.db"), "status", "--format", "json"
    )
    assert code == 0
    assert len(data["agents"]) == 5
    assert (tmp_path / "c.db").is_file()


def test_status_table(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--repo", str(demo), "--db", str(tmp_path / "c.db")]) == 0
    out = capsys.readouterr().out
    assert "db_agent" in out and "merged" in out and "blocked" in out


def test_scan_finds_the_planted_secret_masked(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = run_json(
        capsys, "scan", "--repo", str(demo), "--db", str(tmp_path / "c.db"), "--format", "json"
    )
    assert code == 1  # findings
    planted = [f for f in data["findings"] if f["root"] == "auth_agent" and f["path"].endswith("tokens.py")]
    assert planted and planted[0]["masked"].startswith("ghp_")
    assert fake_github_token() not in json.dumps(data)


def test_conflicts_check(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(
        capsys,
        "conflicts",
        "--check",
        "--repo",
        str(demo),
        "--db",
        str(tmp_path / "c.db"),
        "--format",
        "json",
    )
    assert code == 1
    conflicting = {frozenset((p["a"], p["b"])) for p in data["pairs"] if p["conflicts"]}
    assert conflicting == {
        frozenset(("api_agent", "auth_agent")),
        frozenset(("api_agent", "catalog_agent")),
        frozenset(("cart_agent", "catalog_agent")),
    }
    order = data["merge_order"]
    assert "db_agent" not in order  # already merged
    assert order.index("catalog_agent") < order.index("cart_agent") and order.index(
        "auth_agent"
    ) < order.index("cart_agent")
    steps = {step["agent"]: step["why"] for step in data["merge_steps"]}
    assert list(steps) == order
    assert "catalog_agent" in steps["cart_agent"] and "auth_agent" in steps["cart_agent"]  # its dependencies


def test_demo_no_tui_reuses_an_existing_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "demo", str(tmp_path), "--no-tui", "--format", "json")
    assert code == 0 and Path(data["repo"]).is_dir()
    marker = Path(data["worktrees_root"]) / "SHOP-42-api_agent" / "note.txt"
    marker.write_text("user work\n")
    code, _ = run_json(capsys, "demo", str(tmp_path), "--no-tui", "--format", "json")
    assert marker.read_text() == "user work\n"  # not rebuilt


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["status", "--repo", "{tmp}"], "not a git repository"),
        (["status", "--repo", "{tmp}/nowhere"], "no such directory"),
        (["scan", "{tmp}/nowhere"], "no such directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv, message
) -> None:
    before = sorted(tmp_path.rglob("*"))
    code = main([a.format(tmp=tmp_path) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert sorted(tmp_path.rglob("*")) == before


def test_bad_config_exit_2_names_the_file(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "user.toml"
    config.write_text("stall_minutes = -3\n")
    import os

    os.environ["CDEV_TUI_CONFIG"] = str(config)
    try:
        code = main(["status", "--repo", str(demo), "--db", str(tmp_path / "c.db")])
    finally:
        del os.environ["CDEV_TUI_CONFIG"]
    err = capsys.readouterr().err
    assert code == 2 and str(config) in err and "stall_minutes" in err


def test_console_script_version_and_help() -> None:
    exe = Path(sys.executable).with_name("cdev-tui")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"cdev-tui {__version__}"
    help_text = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("status", "demo", "scan", "conflicts", "metrics"):
        assert command in help_text
    bad = subprocess.run([exe, "status", "--format", "xml"], capture_output=True, text=True)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_status_json_lists_the_task_plan_once(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, data = run_json(
        capsys, "status", "--repo", str(demo), "--db", str(tmp_path / "c.db"), "--format", "json"
    )
    assert [p["task_id"] for p in data["plans"]] == ["SHOP-42"]


def test_a_closed_pipe_is_not_a_traceback(demo: Path, tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("cdev-tui")
    shell = f"'{exe}' status --repo '{demo}' --db '{tmp_path / 'c.db'}' --format json | head -c 10"
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True)
    assert result.stdout == '{\n  "repo"'
    assert "Traceback" not in result.stderr and result.stderr == ""


def test_demo_in_a_folder_that_cannot_be_created_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["demo", str(blocker / "demo"), "--no-tui"]) == 2
    err = capsys.readouterr().err
    assert "cannot create the demo folder" in err and "Traceback" not in err
    assert blocker.read_text() == "x"


def test_a_deleted_worktree_shows_as_its_planned_agent_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    built = build_demo(tmp_path / "demo", now=FROZEN_NOW)
    shutil.rmtree(built.worktree("cart_agent"))
    code, data = run_json(
        capsys, "status", "--repo", str(built.repo), "--db", str(tmp_path / "c.db"), "--format", "json"
    )
    agents = {a["id"]: a for a in data["agents"]}
    assert code == 0 and len(agents) == 5
    assert agents["cart_agent"]["status"] == "missing"
    assert "worktree folder is missing" in agents["cart_agent"]["problems"][0]
