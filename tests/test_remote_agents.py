"""Remote agents: branches another clone pushed to a shared remote are agents here after a fetch.

Real git only: a bare repository in tmp_path is ``origin`` of the project, and a second clone of it (the
"other machine") pushes ``agent/*`` branches carrying their cdev files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cdev_tui import gitops
from cdev_tui.cli import main
from cdev_tui.config import load_config
from cdev_tui.errors import CdevError
from cdev_tui.service import open_service
from tests.conftest import commit_files, run_git

CONFIG = 'remote_agents = ["origin/agent/*"]\nremote_fetch_minutes = 0\n'


def context(agent_id: str, files: list[str]) -> str:
    return json.dumps(
        {"agentId": agent_id, "branchName": f"agent/{agent_id}", "taskId": "T1", "filesToModify": files}
    )


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, Path]:
    """``origin`` (bare), the project (with a local agent worktree) and ``other``, a clone that pushes."""
    origin = tmp_path / "origin.git"
    run_git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    project = tmp_path / "project"
    project.mkdir()
    run_git(project, "init", "-q", "-b", "main")
    commit_files(
        project,
        {
            "README.md": "# project\n",
            "src/app.py": "def main():\n    return 1\n",
            ".cdev/config.toml": CONFIG,
        },
        "initial",
    )
    run_git(project, "remote", "add", "origin", str(origin))
    run_git(project, "push", "-q", "origin", "main")
    local = tmp_path / "project-work-trees" / "local"
    run_git(project, "worktree", "add", "-q", "-b", "local", str(local))
    commit_files(local, {"src/app.py": "def main():\n    return 'local'\n"}, "local change")
    other = tmp_path / "other"
    run_git(tmp_path, "clone", "-q", str(origin), str(other))
    return {"origin": origin, "project": project, "local": local, "other": other, "db": tmp_path / "c.db"}


def push_agent(other: Path, agent_id: str, *, done: int = 1, total: int = 2, app: str | None = None) -> str:
    """Commit an agent branch with its cdev files on the other clone and push it; returns its tip."""
    run_git(other, "switch", "-q", "-C", f"agent/{agent_id}", "origin/main")
    items = "".join(f"{n}. [{'x' if n <= done else ' '}] item {n}\n" for n in range(1, total + 1))
    files = {
        f"workspaces/{agent_id}/agent_context.json": context(agent_id, ["src/app.py"]),
        f"workspaces/{agent_id}/validation_checklist.txt": items,
    }
    if app is not None:
        files["src/app.py"] = app
    tip = commit_files(other, files, f"{agent_id}: work")
    run_git(other, "push", "-q", "--force", "origin", f"agent/{agent_id}")
    return tip


def status(setup: dict[str, Path], capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict, str]:
    argv = ["status", "--repo", str(setup["project"]), "--db", str(setup["db"]), "--format", "json", *extra]
    code = main(argv)
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def agents_of(data: dict) -> dict[str, dict]:
    return {a["id"]: a for a in data["agents"]}


def test_a_pushed_branch_appears_after_a_fetch(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    tip = push_agent(setup["other"], "x", app="def main():\n    return 'remote'\n")
    _, before, _ = status(setup, capsys)
    assert "x" not in agents_of(before)  # not fetched yet

    code, data, err = status(setup, capsys, "--fetch")
    assert code == 0 and "fetch failed" not in err
    agents = agents_of(data)
    x = agents["x"]
    assert x["remote"] is True and agents["local"]["remote"] is False
    assert x["branch"] == "origin/agent/x" and x["worktree"] is None
    assert x["progress"] == {"done": 1, "total": 2, "fraction": 0.5}
    assert x["remaining"] == ["item 2"]
    assert (x["ahead"], x["behind"], x["uncommitted"]) == (1, 0, [])
    assert x["last_commit"]["sha"] == tip and x["last_commit"]["subject"] == "x: work"
    assert x["status"] == "in progress" and x["task"] == "T1"
    assert x["violations"] == []  # src/app.py is its own (filesToModify)


def test_the_table_marks_remote_agents(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    push_agent(setup["other"], "x")
    argv = ["status", "--fetch", "--repo", str(setup["project"]), "--db", str(setup["db"])]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "⇅ remote" in out and "origin/agent/x" in out


def test_a_conflict_with_a_local_agent_is_predicted(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    push_agent(setup["other"], "x", app="def main():\n    return 'remote'\n")
    service = open_service(setup["project"], db=setup["db"])
    try:
        assert service.fetch_remotes() == []
        report = service.predict_conflicts(service.load())
    finally:
        service.close()
    pair = next(p for p in report.pairs if {p.a, p.b} == {"x", "local"})
    assert pair.conflicts_committed and pair.conflicted_files == ("src/app.py",)
    assert not any("x" in error for error in report.errors), report.errors


def test_integration_merges_the_remote_branch_into_the_target(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    tip = push_agent(setup["other"], "x", done=2, app="def main():\n    return 'remote'\n")
    _, data, _ = status(setup, capsys, "--fetch")
    assert agents_of(data)["x"]["status"] == "committed"
    argv = ["integrate", "--repo", str(setup["project"]), "--db", str(setup["db"]), "--agents", "x"]
    code = main([*argv, "--yes", "--finish", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    assert out["finished"] and [s["agent"] for s in out["steps"]] == ["x"]
    project = setup["project"]
    merged = gitops.git(project, "merge-base", "--is-ancestor", tip, "main", ok_codes=(0, 1)).code
    assert merged == 0  # the target now contains the remote agent's commit
    assert (project / "src/app.py").read_text() == "def main():\n    return 'remote'\n"
    _, after, _ = status(setup, capsys)
    assert agents_of(after)["x"]["status"] == "merged"  # its tip came in through a merge


def test_a_remote_agent_is_listed_for_integration(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from cdev_tui.integrate import preflight, select_agents

    push_agent(setup["other"], "x", done=2)
    service = open_service(setup["project"], db=setup["db"])
    try:
        service.fetch_remotes()
        snapshot = service.load()
    finally:
        service.close()
    assert "x" in select_agents(snapshot)
    assert preflight(snapshot, agents=["x"]) == []


def test_a_force_pushed_branch_shows_its_new_tip_after_a_fetch(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    push_agent(setup["other"], "x")
    status(setup, capsys, "--fetch")
    other = setup["other"]
    run_git(other, "commit", "-q", "--amend", "-m", "x: rewritten")
    rewritten = run_git(other, "rev-parse", "HEAD")
    run_git(other, "push", "-q", "--force", "origin", "agent/x")
    _, stale, _ = status(setup, capsys)
    assert agents_of(stale)["x"]["last_commit"]["subject"] == "x: work"  # as of the last fetch
    _, data, _ = status(setup, capsys, "--fetch")
    x = agents_of(data)["x"]
    assert x["last_commit"]["sha"] == rewritten and x["last_commit"]["subject"] == "x: rewritten"


def test_a_deleted_remote_branch_is_gone_after_a_fetch(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    push_agent(setup["other"], "x")
    push_agent(setup["other"], "y")
    _, data, _ = status(setup, capsys, "--fetch")
    assert {"x", "y"} <= set(agents_of(data))
    run_git(setup["other"], "push", "-q", "origin", "--delete", "agent/y")
    _, data, _ = status(setup, capsys, "--fetch")
    assert "x" in agents_of(data) and "y" not in agents_of(data)


def test_an_unreachable_remote_is_a_notice_and_the_rest_goes_on(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    push_agent(setup["other"], "x")
    status(setup, capsys, "--fetch")
    shutil.rmtree(setup["origin"])
    code, data, err = status(setup, capsys, "--fetch")
    assert code == 0
    notice = next(line for line in err.splitlines() if "fetch failed" in line)
    assert notice.startswith("cdev-tui: origin: fetch failed: ")
    assert "showing remote agents as of the last fetch (" in notice and "none recorded" not in notice
    agents = agents_of(data)
    assert "local" in agents and agents["x"]["remote"] is True  # as of the last fetch, and said so


def test_a_remote_that_was_never_fetched_says_so(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run_git(setup["project"], "remote", "set-url", "origin", str(setup["project"].parent / "missing.git"))
    code, data, err = status(setup, capsys, "--fetch")
    assert code == 0 and "origin: fetch failed" in err and "(none recorded)" in err
    assert "local" in agents_of(data)


@pytest.mark.parametrize(
    "text",
    ['remote_agents = "origin/agent/*"\n', "remote_agents = [3]\n", 'remote_agents = ["agent"]\n'],
)
def test_a_bad_remote_agents_value_is_one_line_and_exit_2(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str], text: str
) -> None:
    (setup["project"] / ".cdev/config.toml").write_text(text)
    code = main(["status", "--repo", str(setup["project"]), "--db", str(setup["db"])])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "config.toml" in err and "remote_agents" in err


def test_remote_settings_from_the_file_and_the_environment(setup: dict[str, Path]) -> None:
    project = setup["project"]
    config = load_config(project, env={})
    assert config.remote_agents == ("origin/agent/*",) and config.remote_fetch_minutes == 0
    env = {"CDEV_TUI_REMOTE_AGENTS": "origin/codex/*, up/agent/*", "CDEV_TUI_REMOTE_FETCH_MINUTES": "10"}
    config = load_config(project, env=env)
    assert config.remote_agents == ("origin/codex/*", "up/agent/*") and config.remote_fetch_minutes == 10
    assert (
        load_config(None, env={}).remote_agents == () and load_config(None, env={}).remote_fetch_minutes == 5
    )
    with pytest.raises(CdevError, match="remote_fetch_minutes"):
        load_config(project, env={"CDEV_TUI_REMOTE_FETCH_MINUTES": "soon"})


def test_agent_actions_refuse_a_remote_agent(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    push_agent(setup["other"], "x")
    status(setup, capsys, "--fetch")
    argv = ["agent", "complete", "x", "--repo", str(setup["project"]), "--db", str(setup["db"])]
    assert main(argv) == 1
    assert "remote branch origin/agent/x — no worktree here" in capsys.readouterr().err


def test_a_known_remote_tip_costs_no_git_process(
    setup: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    push_agent(setup["other"], "x")
    push_agent(setup["other"], "y")
    _, data, _ = status(setup, capsys, "--fetch")  # reads both trees once, into the store's cache
    assert {"x", "y"} <= set(agents_of(data))
    calls = request.getfixturevalue("git_calls")  # counted from here on
    _, data, _ = status(setup, capsys)
    with_remote = list(calls)
    assert {"x", "y"} <= set(agents_of(data))
    calls.clear()
    monkeypatch.setenv("CDEV_TUI_REMOTE_AGENTS", "")  # the same read without remote agents
    _, data, _ = status(setup, capsys)
    assert "x" not in agents_of(data)
    assert len(with_remote) == len(calls), (with_remote, calls)  # the same for-each-ref tells their tips
    assert not [args for args in with_remote if args[0] in ("ls-tree", "cat-file", "rev-list", "diff")]


async def test_the_app_fetches_on_r_marks_remote_rows_and_refuses_worktree_actions(
    setup: dict[str, Path],
) -> None:
    from cdev_tui.app import make_app
    from tests.apptools import summary_text, table_rows, wait_until

    push_agent(setup["other"], "x")
    app = make_app(setup["project"], db=setup["db"])

    def rows() -> dict[str, list[str]]:
        return {row[0]: row for row in table_rows(app, "#agents-table")}

    async with app.run_test(size=(150, 42)) as pilot:
        await wait_until(pilot, lambda: "local" in rows())
        assert "x" not in rows()  # remote_fetch_minutes = 0: nothing fetched until asked
        await pilot.press("r")
        await wait_until(pilot, lambda: "x" in rows())
        assert "⇅ origin" in rows()["x"][7] and "⇅" not in rows()["local"][7]
        table = app.screen.query_one("#agents-table")
        table.move_cursor(row=list(rows()).index("x"))
        await wait_until(pilot, lambda: "no worktree here" in summary_text(app, "#agent-detail"))
        assert "remote branch origin/agent/x — no worktree here" in summary_text(app, "#agent-detail")
        await pilot.press("c")  # commit needs a worktree
        await wait_until(pilot, lambda: any("no worktree here" in n.message for n in app._notifications))
        assert app.screen is app.main  # no confirmation asked


def test_a_fetch_reloads_everything(setup: dict[str, Path]) -> None:
    from cdev_tui.workspace import WorkspaceLoader

    service = open_service(setup["project"], db=setup["db"])
    try:
        paths = service.paths
        fetched = {paths.common_dir / "refs" / "remotes" / "origin" / "agent" / "x"}
        with_remotes = WorkspaceLoader(paths, remote_patterns=("origin/agent/*",))
        snapshot = with_remotes.load()
        assert with_remotes.agents_touched(snapshot, fetched) is None
        assert with_remotes.agents_touched(snapshot, {paths.common_dir / "FETCH_HEAD"}) is None
        assert WorkspaceLoader(paths).agents_touched(snapshot, fetched) == set()
    finally:
        service.close()
