"""``cdev-tui integrate``: confirmation, exit codes, JSON, live test output, and --finish as the only way in."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from cdev_tui.cli import main
from cdev_tui.demo import DemoWorkspace, build_demo
from tests.apptools import FROZEN_NOW
from tests.conftest import run_git
from tests.test_integrate import build_workspace


class FakeTerminal(io.StringIO):
    """stdin as a terminal; its text is what the user types."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def demo(tmp_path: Path) -> DemoWorkspace:
    return build_demo(tmp_path / "demo", now=FROZEN_NOW)


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def integrate_cli(repo: Path, db: Path, *args: str) -> list[str]:
    return ["integrate", "--repo", str(repo), "--db", str(db), *args]


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict, str]:
    code = main([*argv, "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def state(repo: Path) -> tuple[str, str, str]:
    """The target, the main worktree's tracked status and every branch but integration ones."""
    branches = run_git(repo, "branch", "--format=%(refname:short) %(objectname)").splitlines()
    return (
        run_git(repo, "rev-parse", "main"),
        run_git(repo, "status", "--porcelain", "--untracked-files=no"),
        "\n".join(b for b in branches if not b.startswith("integration-")),
    )


def integration_branches(repo: Path) -> list[str]:
    return run_git(repo, "branch", "--list", "integration-*", "--format=%(refname:short)").split()


def test_refuses_without_yes_when_stdin_is_not_a_terminal(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(demo.repo)
    code = main(
        integrate_cli(demo.repo, tmp_path / "c.db", "--agents", "catalog_agent", "--test-cmd", "true")
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        "cdev-tui: error: refusing to integrate without confirmation: stdin is not a terminal; pass --yes"
    )
    assert "Traceback" not in err
    assert integration_branches(demo.repo) == [] and state(demo.repo) == before
    assert not (demo.repo / "shared" / "reports").exists()


def test_asks_on_a_terminal_and_a_no_changes_nothing(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = integrate_cli(demo.repo, tmp_path / "c.db", "--agents", "catalog_agent", "--test-cmd", "true")
    monkeypatch.setattr("sys.stdin", FakeTerminal("n\n"))
    assert main(argv) == 1
    assert (
        "Merge 1 agent (catalog_agent) into a new integration branch from main? [y/N]"
        in capsys.readouterr().err
    )
    assert integration_branches(demo.repo) == []

    monkeypatch.setattr("sys.stdin", FakeTerminal("y\n"))
    before = state(demo.repo)
    assert main(argv) == 0
    assert len(integration_branches(demo.repo)) == 1
    assert state(demo.repo) == before


def test_json_run_with_yes_streams_test_output_and_leaves_the_target_alone(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(demo.repo)
    argv = integrate_cli(
        demo.repo,
        tmp_path / "c.db",
        "--agents",
        "catalog_agent",
        "--yes",
        "--test-cmd",
        "echo hello from tests",
    )
    code, data, err = run_json(capsys, argv)
    assert code == 0
    assert {"integration_branch", "steps", "ok", "report", "finished", "target_commit"} <= set(data)
    assert data["ok"] is True and data["finished"] is False
    assert data["integration_branch"] in integration_branches(demo.repo)
    assert [
        {k: s[k] for k in ("agent", "merged", "conflicted_files", "test_passed")} for s in data["steps"]
    ] == [{"agent": "catalog_agent", "merged": True, "conflicted_files": [], "test_passed": True}]
    assert isinstance(data["steps"][0]["seconds"], float)
    assert Path(data["report"]["markdown"]).is_file() and Path(data["report"]["yaml"]).is_file()
    assert data["target_commit"] == before[0]
    assert "[catalog_agent] hello from tests" in err
    # --yes answers the integration question; it never finishes into the target.
    assert state(demo.repo) == before
    assert run_git(demo.repo, "rev-parse", "HEAD") == before[0]


def test_preflight_problems_exit_1_and_create_nothing(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(demo.repo)
    code, data, err = run_json(
        capsys, integrate_cli(demo.repo, tmp_path / "c.db", "--yes", "--test-cmd", "true")
    )
    assert code == 1
    assert data["ok"] is False and data["integration_branch"] is None and data["steps"] == []
    found = {(p["kind"], p["agent"]) for p in data["problems"]}
    assert {
        ("incomplete", "api_agent"),
        ("incomplete", "auth_agent"),
        ("violation", "auth_agent"),
        ("security", "auth_agent"),  # the planted token and the vulnerable pin (tests/test_security_gate.py)
        ("dirty", "cart_agent"),
    } <= found
    dirty = next(p for p in data["problems"] if p["kind"] == "dirty")
    assert "src/shopfront/catalog/pricing.py" in dirty["files"]
    assert "not ready to integrate into main" in err
    assert integration_branches(demo.repo) == [] and state(demo.repo) == before


def test_a_conflict_exits_1_and_names_the_files(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(demo.repo)
    argv = integrate_cli(
        demo.repo,
        tmp_path / "c.db",
        *("--agents", "catalog_agent,auth_agent,api_agent", "--allow-incomplete", "--allow-violations"),
        *("--override-security-gate", "--yes", "--test-cmd", "true", "--finish"),
    )
    code, data, err = run_json(capsys, argv)
    assert code == 1
    assert [(s["agent"], s["merged"]) for s in data["steps"]] == [
        ("catalog_agent", True),
        ("auth_agent", True),
        ("api_agent", False),
    ]
    assert data["steps"][2]["conflicted_files"] == [
        "shared/coordination/validation-status.yaml",
        "src/shopfront/api/routes.py",
    ]
    assert data["head"] == data["steps"][1]["commit"]
    assert run_git(demo.repo, "rev-parse", data["integration_branch"]) == data["steps"][1]["commit"]
    # --finish is not attempted after a failed integration.
    assert data["finished"] is False and data["target_commit"] == before[0]
    assert "not finished" in err
    assert state(demo.repo) == before


def test_failing_and_hanging_test_commands_exit_1(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = integrate_cli(demo.repo, tmp_path / "c.db", "--agents", "catalog_agent", "--yes")
    code, data, _ = run_json(capsys, [*base, "--test-cmd", "echo broken; false"])
    assert code == 1 and data["ok"] is False
    assert (data["steps"][0]["merged"], data["steps"][0]["test_passed"]) == (True, False)
    assert "exit code 1" in data["stopped_reason"]

    started = time.monotonic()
    code, data, err = run_json(capsys, [*base, "--test-cmd", "sleep 30", "--test-timeout", "1"])
    assert time.monotonic() - started < 10
    assert code == 1 and data["steps"][0]["test_passed"] is False
    assert "timed out after 1 s" in data["stopped_reason"]
    assert "[catalog_agent] [cdev-tui: killed after the 1 s test timeout]" in err


def test_finish_moves_the_target_to_the_integration_branch(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = integrate_cli(
        demo.repo, tmp_path / "c.db", "--agents", "catalog_agent", "--yes", "--finish", "--test-cmd", "true"
    )
    code, data, _ = run_json(capsys, argv)
    assert code == 0
    assert data["finished"] is True
    assert data["target_commit"] == data["head"] == run_git(demo.repo, "rev-parse", "main")
    assert run_git(demo.repo, "rev-parse", "HEAD") == data["head"]
    assert (demo.repo / "src/shopfront/catalog/search.py").is_file()
    assert run_git(demo.repo, "status", "--porcelain", "--untracked-files=no") == ""


def test_finish_refuses_a_dirty_main_worktree(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo.repo / "README.md").write_text("work in progress\n")
    before = state(demo.repo)
    argv = integrate_cli(
        demo.repo, tmp_path / "c.db", "--agents", "catalog_agent", "--yes", "--finish", "--test-cmd", "true"
    )
    code, data, err = run_json(capsys, argv)
    assert code == 2
    assert data["ok"] is True and data["finished"] is False
    assert "uncommitted changes (README.md); commit or stash them" in data["finish_error"]
    assert data["target_commit"] == before[0]
    assert state(demo.repo) == before
    assert (demo.repo / "README.md").read_text() == "work in progress\n"
    assert err.count("Traceback") == 0


def test_finish_asks_again_on_a_terminal(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", FakeTerminal("y\nn\n"))
    before = state(demo.repo)
    argv = integrate_cli(
        demo.repo, tmp_path / "c.db", "--agents", "catalog_agent", "--finish", "--test-cmd", "true"
    )
    code, data, err = run_json(capsys, argv)
    assert code == 0 and data["ok"] is True and data["finished"] is False
    assert f"Merge {data['integration_branch']} into main now? [y/N]" in err
    assert state(demo.repo) == before


def test_plan_option_sets_agents_and_merge_order(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = json.loads(demo.plan_path.read_text())
    plan["integrationPlan"]["mergeOrder"] = [
        "db_agent",
        "auth_agent",
        "catalog_agent",
        "api_agent",
        "cart_agent",
    ]
    custom = tmp_path / "custom-plan.json"
    custom.write_text(json.dumps(plan))
    argv = integrate_cli(
        demo.repo,
        tmp_path / "c.db",
        *("--plan", str(custom), "--agents", "catalog_agent,auth_agent"),
        *(
            "--allow-incomplete",
            "--allow-violations",
            "--override-security-gate",
            "--yes",
            "--test-cmd",
            "true",
        ),
    )
    code, data, _ = run_json(capsys, argv)
    assert code == 0
    assert data["order"] == ["auth_agent", "catalog_agent"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--test-timeout", "0"), "--test-timeout: expected a positive number of seconds, got '0'"),
        (("--test-timeout", "soon"), "--test-timeout: expected a positive number of seconds, got 'soon'"),
        (("--agents", " , "), "--agents: expected comma-separated agent ids"),
        (("--agents", "nobody_agent"), "unknown agent 'nobody_agent'"),
        (("--test-cmd", "  "), "--test-cmd: the command is empty"),
        (("--plan", "missing.json"), "missing.json: file not found"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    demo: DemoWorkspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = state(demo.repo)
    code = main(integrate_cli(demo.repo, tmp_path / "c.db", "--yes", *args))
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err and err.startswith("cdev-tui: error: ")
    assert integration_branches(demo.repo) == [] and state(demo.repo) == before


def test_config_test_command_and_table_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build_workspace(tmp_path)
    (ws.repo / ".cdev").mkdir()
    (ws.repo / ".cdev" / "config.toml").write_text('test_command = "echo from-config; test -f src/app.py"\n')
    code = main(integrate_cli(ws.repo, tmp_path / "c.db", "--yes"))
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err.count("from-config") == 3  # after each of the three merges
    assert "[a_agent] from-config" in captured.err and "[c_agent] from-config" in captured.err
    branch = integration_branches(ws.repo)[0]
    assert branch in captured.out
    for agent_id in ("a_agent", "b_agent", "c_agent"):
        assert agent_id in captured.out
    assert captured.out.count("merged") >= 3 and "main unchanged" in captured.out
