"""The Security pane on the real demo workspace: the planted token and the vulnerable pin, masked context,
reveal on request only, search, grouping, and accepting into the baseline from the keyboard."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Input

from cdev_tui.app import make_app
from cdev_tui.demo import build_demo, fake_github_token
from cdev_tui.screens.security import SecurityPane
from cdev_tui.security.baseline import BASELINE_PATH
from tests.apptools import FROZEN_NOW, summary_text, table_rows, wait_until
from tests.conftest import run_git

SIZE = (150, 50)
TOKEN_LINE = 16  # of src/shopfront/auth/tokens.py in auth_agent's worktree


def demo(tmp_path: Path) -> Path:
    return build_demo(tmp_path / "demo", now=FROZEN_NOW).repo


def screen_text(app) -> str:
    """Everything the Security pane shows in its tables and texts."""
    parts = [
        summary_text(app, selector) for selector in ("#security-summary", "#finding-detail", "#deps-summary")
    ]
    for table in ("#findings-table", "#deps-table", "#hygiene-table"):
        parts.extend(" ".join(row) for row in table_rows(app, table))
    return "\n".join(parts)


def finding_rows(app) -> list[list[str]]:
    return [row for row in table_rows(app, "#findings-table") if row[0]]


async def select_token(pilot, pane: SecurityPane) -> None:
    """Move the cursor down to the planted GitHub token's row."""
    for _ in range(20):
        if pane.selected_row is not None and pane.selected_row.rule_id == "github-token":
            return
        await pilot.press("down")
    raise AssertionError("no github-token row in the findings table")


async def open_pane(pilot) -> None:
    app = pilot.app
    await pilot.press("3")
    await wait_until(pilot, lambda: "found" in summary_text(app, "#security-summary"))
    await wait_until(pilot, lambda: bool(table_rows(app, "#deps-table")), timeout=20)
    app.screen.query_one("#findings-table", DataTable).focus()
    await pilot.pause()


async def test_the_planted_token_and_the_vulnerable_pin_show_masked_at_their_place(tmp_path: Path) -> None:
    repo = demo(tmp_path)
    token = fake_github_token()
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        rows = finding_rows(app)
        planted = [
            r for r in rows if r[2] == "auth_agent" and r[3] == f"src/shopfront/auth/tokens.py:{TOKEN_LINE}"
        ]
        assert planted, rows
        assert planted[0][4].startswith("ghp_") and "*" in planted[0][4]

        deps = table_rows(app, "#deps-table")
        advisory = [r for r in deps if r[3] == "GHSA-x84v-xcm2-53pg"]
        assert advisory and advisory[0][1:3] == ["requests", "2.19.1"] and advisory[0][4] == "2.20.0"
        assert advisory[0][0] == "high" and "auth_agent: requirements.txt:3" in advisory[0][5]

        # the detail shows the lines around the token, masked, and the rule's help
        await wait_until(pilot, lambda: f"{TOKEN_LINE} ▶" in summary_text(app, "#finding-detail"))
        detail = summary_text(app, "#finding-detail")
        assert "GITHUB_TOKEN = " in detail and "ghp_****" in detail
        assert "revoke" in detail.lower()  # the rule's help says how
        assert token not in screen_text(app)


async def test_reveal_shows_the_secret_only_on_the_key_and_masks_it_again(tmp_path: Path) -> None:
    repo = demo(tmp_path)
    token = fake_github_token()
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        table = app.screen.query_one("#findings-table", DataTable)
        pane = app.screen.query_one(SecurityPane)
        await select_token(pilot, pane)
        await wait_until(pilot, lambda: f"{TOKEN_LINE} ▶" in summary_text(app, "#finding-detail"))
        assert token not in screen_text(app)
        await pilot.press("R")
        await wait_until(pilot, lambda: token in summary_text(app, "#finding-detail"))
        assert "REVEALED" in summary_text(app, "#finding-detail")
        assert token not in " ".join(" ".join(r) for r in table_rows(app, "#findings-table"))
        await pilot.press("R")
        await wait_until(pilot, lambda: token not in summary_text(app, "#finding-detail"))
        await pilot.press("R")
        await wait_until(pilot, lambda: token in summary_text(app, "#finding-detail"))
        await pilot.press("down" if table.cursor_row + 1 < table.row_count else "up")  # moving away masks
        await wait_until(pilot, lambda: token not in screen_text(app))


async def test_search_and_grouping_narrow_and_arrange_the_findings(tmp_path: Path) -> None:
    repo = demo(tmp_path)
    api_worktree = next((repo.parent / "shopfront-work-trees").glob("*api_agent"))
    key = "AKIA" + "QX7RZ2M4T6V5W3Y5"
    (api_worktree / "settings_local.py").write_text(f'AWS_ACCESS_KEY_ID = "{key}"\n')
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        await wait_until(pilot, lambda: len(finding_rows(app)) >= 2)
        headers = [r[1] for r in table_rows(app, "#findings-table") if not r[0]]
        assert any(h.startswith("▸ api_agent") for h in headers) and any(
            h.startswith("▸ auth_agent") for h in headers
        )
        await pilot.press("g")  # by severity
        headers = [r[1] for r in table_rows(app, "#findings-table") if not r[0]]
        assert headers and all(h.split()[1] in ("high", "medium", "low") for h in headers)
        await pilot.press("slash")
        search = app.screen.query_one("#security-search", Input)
        assert search.has_focus
        await pilot.press(*"aws")
        await wait_until(pilot, lambda: all("api_agent" in r[2] for r in finding_rows(app)))
        assert len(finding_rows(app)) == 1 and "matching “aws”" in summary_text(app, "#security-summary")
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(finding_rows(app)) >= 2)
        assert key not in screen_text(app)


async def test_accepting_the_token_records_it_and_clears_it_in_every_worktree(tmp_path: Path) -> None:
    repo = demo(tmp_path)
    # the same token, copied into a second worktree: one row, both agents listed
    api_worktree = next((repo.parent / "shopfront-work-trees").glob("*api_agent"))
    (api_worktree / "copied.py").write_text(f'TOKEN = "{fake_github_token()}"\n')
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        pane = app.screen.query_one(SecurityPane)
        rows = [r for r in finding_rows(app) if r[4].startswith("ghp_")]
        assert len(rows) == 1 and rows[0][2] == "api_agent, auth_agent", finding_rows(app)
        await select_token(pilot, pane)
        await pilot.press("b")
        await wait_until(pilot, lambda: bool(app.screen.query("#prompt-input")))
        await pilot.press(*"public demo token", "enter")
        await wait_until(
            pilot, lambda: not [r for r in finding_rows(app) if r[4].startswith("ghp_")], timeout=20
        )
        assert "1 accepted in the baseline" in summary_text(
            app, "#security-summary"
        ) or "accepted" in summary_text(app, "#security-summary")
        saved = json.loads((repo / BASELINE_PATH).read_text())
        assert [a["reason"] for a in saved["accepted"]] == ["public demo token"]
        said = [n.message for n in app._notifications]
        assert any(m.startswith("Accepted ghp_****") for m in said)
        assert not any(fake_github_token() in m for m in said)
        assert fake_github_token() not in (repo / BASELINE_PATH).read_text()


async def test_accepting_an_advisory_from_the_dependencies_table(tmp_path: Path) -> None:
    repo = demo(tmp_path)
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        deps = app.screen.query_one("#deps-table", DataTable)
        deps.focus()
        deps.move_cursor(row=0)
        advisory = table_rows(app, "#deps-table")[0][3]
        await pilot.press("b")
        await wait_until(pilot, lambda: bool(app.screen.query("#prompt-input")))
        await pilot.press(*"no redirects to http", "enter")

        def gone() -> bool:
            """the accepted advisory left the table"""
            return advisory not in [r[3] for r in table_rows(app, "#deps-table")]

        await wait_until(pilot, gone, timeout=20)
        assert "accepted in the baseline" in summary_text(app, "#deps-summary")
        saved = json.loads((repo / BASELINE_PATH).read_text())
        assert saved["advisories"][0]["advisory"] == advisory
        assert saved["advisories"][0]["package"] == "requests"


async def test_history_scan_runs_in_the_background_and_lists_commits(tmp_path: Path) -> None:
    repo = demo(tmp_path)
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot)
        assert not app.screen.query_one("#history-table").display
        await pilot.press("H")
        await wait_until(pilot, lambda: "in the history" in summary_text(app, "#history-summary"), timeout=30)
        rows = table_rows(app, "#history-table")
        planted = [r for r in rows if r[4] == "src/shopfront/auth/tokens.py:16"]
        assert planted and planted[0][5].startswith("ghp_") and len(planted[0][2]) == 10
        commit = planted[0][2]
        subject = run_git(repo, "log", "-1", "--format=%s", commit)
        assert subject == "feat(auth_agent): signed session tokens and stronger password hashing"
        assert fake_github_token() not in screen_text(app) + " ".join(" ".join(r) for r in rows)
