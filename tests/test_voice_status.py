"""Spoken answers about the demo workspace: the whole status, what is blocked, one agent."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdev_tui.config import Config
from cdev_tui.demo import build_demo
from cdev_tui.voice.status import answer, spoken_name
from cdev_tui.workspace import WorkspaceLoader, WorkspaceSnapshot, resolve_paths
from tests.apptools import FROZEN_NOW
from tests.conflict_repos import git_ok


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), now=FROZEN_NOW).repo


def snapshot_of(repo: Path) -> WorkspaceSnapshot:
    return WorkspaceLoader(resolve_paths(repo, Config()), now=FROZEN_NOW.timestamp, stall_minutes=30).load()


def test_names_are_said_as_people_say_them() -> None:
    assert spoken_name("auth_agent") == "auth"
    assert spoken_name("SHOP-42-cart_agent") == "cart"
    assert spoken_name("db-migrations") == "db migrations"
    assert spoken_name("agent") == "agent"


def test_status_sums_up_and_names_what_needs_a_person(demo: Path) -> None:
    said = answer(snapshot_of(demo), "status", FROZEN_NOW.timestamp())
    assert said.startswith("Five agents: one blocked, two in progress, one committed, one merged.")
    assert "cart is blocked on auth" in said
    assert "api is in progress, stalled for" in said
    assert "_" not in said and "ghp_" not in said


def test_what_is_blocked_and_how_is_one_agent(demo: Path) -> None:
    snapshot = snapshot_of(demo)
    now = FROZEN_NOW.timestamp()
    assert answer(snapshot, "what's blocked", now) == "Cart waits for auth."
    auth = answer(snapshot, "how is auth", now, "auth_agent")
    assert (
        auth == "Auth is in progress, 2 of 4 checklist items done, and it changed one file it does not own."
    )
    assert answer(snapshot, "how is zed", now, "zed_agent") == "There is no agent called zed."


def test_a_conflict_in_progress_is_said(tmp_path: Path) -> None:
    repo = build_demo(tmp_path / "demo", now=FROZEN_NOW).repo
    api = repo.parent / "shopfront-work-trees" / "SHOP-42-api_agent"
    assert git_ok(api, "merge", "--no-edit", "SHOP-42-auth_agent").returncode == 1
    snapshot = snapshot_of(repo)
    assert "api has a conflict to resolve" in answer(snapshot, "status", FROZEN_NOW.timestamp())
    assert answer(snapshot, "how is api", FROZEN_NOW.timestamp(), "api_agent").endswith(
        "; one file in conflict."
    )
