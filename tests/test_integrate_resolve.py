"""Integration that resolves a conflicted step instead of stopping: a resolver, the safe auto resolver, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdev_tui.cli import main
from cdev_tui.conflicts.learned import LearnedStore
from cdev_tui.conflicts.session import ResolveSession
from cdev_tui.integrate import integrate
from cdev_tui.integrate.resolution import AutoOutcome, ConflictStop, auto_resolver
from cdev_tui.store import Store
from tests.conftest import run_git
from tests.test_integrate import NOW, WORK, build_workspace, fingerprint

CONFLICTING = {**WORK, "c_agent": {**WORK["c_agent"], "src/app.py": "def main():\n    return 99\n"}}
ORDER = ["a_agent", "b_agent", "c_agent"]


@pytest.fixture
def store(tmp_path: Path):
    store = Store(tmp_path / "store.db")
    yield store
    store.close()


def test_a_resolver_that_concludes_lets_the_run_go_on_and_test(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path, work=CONFLICTING)
    before = fingerprint(ws)
    stops: list[ConflictStop] = []

    def resolve_by_hand(stop: ConflictStop) -> bool:
        stops.append(stop)
        session = ResolveSession(stop.worktree)
        session.load()
        session.edit("src/app.py", 0, "    return 2 + 99\n")
        session.write("src/app.py")
        session.conclude()
        return True

    result = integrate(
        ws.snapshot(),
        order=ORDER,
        test_command="cat src/app.py",
        now=NOW,
        resolver=resolve_by_hand,
    )

    assert result.ok, result.stopped_reason
    (stop,) = stops
    assert (stop.agent, stop.index, stop.files) == ("c_agent", 2, ("src/app.py",))
    last = result.steps[-1]
    assert last.merged and last.test_passed and last.resolved_files == ("src/app.py",)
    assert "return 2 + 99" in last.test_output_tail  # the tests ran on the resolved merge
    assert "conflicts resolved in src/app.py" in last.message
    assert run_git(ws.repo, "show", f"{result.branch}:src/app.py") == "def main():\n    return 2 + 99"
    parents = run_git(ws.repo, "rev-list", "--parents", "-n", "1", result.branch).split()
    assert parents[2] == run_git(ws.repo, "rev-parse", ws.branch("c_agent"))
    assert fingerprint(ws) == before
    assert "Conflicts resolved in: src/app.py" in result.report_md.read_text()


def test_a_resolver_that_gives_up_stops_the_run_as_before(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path, work=CONFLICTING)
    result = integrate(ws.snapshot(), order=ORDER, now=NOW, resolver=lambda stop: False)
    assert (
        not result.ok and result.conflict is not None and result.conflict.conflicted_files == ("src/app.py",)
    )
    assert result.head == result.steps[1].commit


def test_a_resolver_that_lies_does_not_fool_the_run(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path, work=CONFLICTING)
    result = integrate(ws.snapshot(), order=ORDER, now=NOW, resolver=lambda stop: True)  # nothing concluded
    assert not result.ok and result.conflict is not None
    assert result.head == result.steps[1].commit


def test_the_auto_resolver_uses_what_was_learned_and_stops_without_it(tmp_path: Path, store: Store) -> None:
    ws = build_workspace(tmp_path, work=CONFLICTING)
    learned = LearnedStore(store)
    outcome = AutoOutcome()
    first = integrate(
        ws.snapshot(), order=ORDER, now=NOW, resolver=auto_resolver(("learned",), learned, outcome)
    )
    assert not first.ok and (outcome.resolved, outcome.left) == (0, 1)

    learned.remember(
        "src/app.py", "    return 2\n", "    return 1\n", "    return 99\n", "    return 101\n", "editor"
    )
    again = integrate(
        ws.snapshot(), order=ORDER, now=NOW, resolver=auto_resolver(("learned",), learned, outcome)
    )
    assert again.ok and outcome.resolved == 1
    assert run_git(ws.repo, "show", f"{again.branch}:src/app.py") == "def main():\n    return 101"


def test_the_cli_resolves_with_learned_resolutions_when_asked(tmp_path: Path, capsys, store: Store) -> None:
    ws = build_workspace(tmp_path, work=CONFLICTING)
    db = tmp_path / "cli.db"
    common = [
        "--repo",
        str(ws.repo),
        "--db",
        str(db),
        "--yes",
        "--format",
        "json",
        "--allow-violations",
    ]
    assert main(["integrate", *common]) == 1
    out, err = capsys.readouterr()
    stopped = json.loads(out)
    assert stopped.get("problems") is None, err
    assert stopped["steps"][-1]["conflicted_files"] == ["src/app.py"]

    cli_store = Store(db)
    LearnedStore(cli_store).remember(
        "src/app.py", "    return 2\n", "    return 1\n", "    return 99\n", "    return 100\n", "editor"
    )
    cli_store.close()
    assert main(["integrate", *common, "--resolve", "learned"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["ok"] and done["steps"][-1]["resolved_files"] == ["src/app.py"]
    assert main(["integrate", *common, "--resolve", "guess"]) == 2
