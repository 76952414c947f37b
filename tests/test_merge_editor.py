"""The merge editor in the real app: from the demo's integration, from the command line, keys and safety."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from textual.widgets import DataTable, Switch

from cdev_tui.app import make_app
from cdev_tui.demo import build_demo
from cdev_tui.screens.integrate import IntegrateScreen
from cdev_tui.screens.merge_editor import MergeEditorScreen
from cdev_tui.widgets.confirm import ConfirmScreen
from tests.apptools import summary_text, table_rows, wait_until
from tests.conflict_repos import CLIENT_BASE, CLIENT_OURS, CLIENT_THEIRS, fingerprint, git_ok, two_branches
from tests.conftest import run_git

SIZE = (160, 50)
ROUTES = "src/shopfront/api/routes.py"
STATUS = "shared/coordination/validation-status.yaml"


async def _integrate_demo_until_the_editor(pilot, app) -> tuple[IntegrateScreen, MergeEditorScreen]:
    """Open Integrate, skip the blocked cart agent, allow the unfinished ones, start, accept the editor."""
    await wait_until(pilot, lambda: app.main.snapshot is not None)
    await pilot.press("i")
    screen = app.screen
    assert isinstance(screen, IntegrateScreen)
    await wait_until(pilot, lambda: "cart_agent" in screen.order)
    table = screen.query_one("#steps-table", DataTable)
    table.move_cursor(row=screen.order.index("cart_agent"))
    await pilot.press("space")
    await pilot.press("I", "V", "S")  # S: auth_agent's planted token and pin meet the security gate
    assert (
        screen.query_one("#allow-incomplete", Switch).value
        and screen.query_one("#allow-violations", Switch).value
        and screen.query_one("#override-gate", Switch).value
    )
    await wait_until(pilot, lambda: "Pre-flight passed" in summary_text(app, "#integrate-problems"))
    assert screen.order == ["catalog_agent", "auth_agent", "api_agent"]
    screen.query_one("#test-command").value = f"{sys.executable} -m pytest -q -p no:cacheprovider"
    await pilot.press("g", "y")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=60)
    assert "api_agent" in str(app.screen.question)
    await pilot.press("y")
    await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
    return screen, app.screen


async def test_demo_integration_resolves_the_api_auth_conflict_from_the_keyboard(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo")
    app = make_app(demo.repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        integrate_screen, editor = await _integrate_demo_until_the_editor(pilot, app)
        assert [s.path for s in editor.files] == [STATUS, ROUTES]
        assert "integration step 3 of 3: api_agent" in editor.sub_title

        await pilot.press("t", "w")  # cdev's status file: keep the incoming agent's
        await wait_until(pilot, lambda: editor.files[0].written)
        routes = editor.session.file(ROUTES)
        assert editor.current is routes and editor.hunk_at == 0
        imports = routes.suggestions[0][0]
        assert imports.source == "structural" and imports.safe
        await pilot.press("a")  # hunk 1: both sides added imports, proven
        combined = routes.suggestions[1][0]
        assert combined.source == "structural" and not combined.safe
        await pilot.press("a")  # hunk 2: the login check and the new body, checked by eye
        await pilot.press("b")  # hunk 3: both routes, a manual pick
        assert routes.unresolved == 0
        await pilot.press("w")
        await wait_until(pilot, lambda: routes.written)
        await pilot.press("c")
        await wait_until(pilot, lambda: integrate_screen.result is not None, timeout=90)

        result = integrate_screen.result
        assert result.ok, result.stopped_reason
        api_step = result.steps[-1]
        assert api_step.merged and api_step.test_passed
        assert api_step.resolved_files == (STATUS, ROUTES)
        merged = run_git(demo.repo, "show", f"{result.branch}:{ROUTES}")
        assert (
            "from shopfront.api.schemas import" in merged
            and "from shopfront.auth.middleware import" in merged
        )
        assert "require_login and current_customer_id(request)" in merged and "CartItemIn.parse" in merged
        assert '"/auth/login"' in merged and '"/orders/{order_id}"' in merged
        assert "<<<<<<<" not in merged

        # The same conflict met again in a new integration: what was written is offered as learned.
        await pilot.press("escape")
        again, editor = await _integrate_demo_until_the_editor(pilot, app)
        routes = editor.session.file(ROUTES)
        sources = [routes.suggestions[i][0].source for i in range(3)]
        assert sources == ["structural", "learned", "learned"]
        assert editor.session.file(STATUS).suggestions[0][0].source == "learned"
        await pilot.press("ctrl+a", "y")  # abort this one: the integration stops at step 2
        await wait_until(pilot, lambda: again.result is not None, timeout=60)
        assert not again.result.ok and again.result.conflict.agent == "api_agent"


async def test_aborting_in_the_editor_stops_the_integration_and_leaves_everything(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo")
    agents = {p.name: p for p in demo.worktrees_root.iterdir() if p.name.startswith("SHOP-42-")}

    def state() -> dict[str, dict[str, str]]:
        # The integration branch the run created is the one thing allowed to appear.
        prints = {name: fingerprint(path) for name, path in agents.items()}
        for found in prints.values():
            found["refs"] = "\n".join(
                line for line in found["refs"].splitlines() if "refs/heads/integration-" not in line
            )
        return prints

    before = state()
    main_before = run_git(demo.repo, "rev-parse", "main")
    app = make_app(demo.repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        integrate_screen, editor = await _integrate_demo_until_the_editor(pilot, app)
        await pilot.press("t", "w")
        await wait_until(pilot, lambda: editor.files[0].written)
        await pilot.press("ctrl+a")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: integrate_screen.result is not None, timeout=60)
        result = integrate_screen.result
        assert not result.ok and result.conflict is not None and result.conflict.agent == "api_agent"
        assert result.head == result.steps[1].commit
    assert state() == before
    assert run_git(demo.repo, "rev-parse", "main") == main_before
    assert not any(p.name.startswith(".integration-") for p in demo.worktrees_root.iterdir())


def conflicted_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = two_branches(
        tmp_path, {"client.py": CLIENT_BASE}, {"client.py": CLIENT_OURS}, {"client.py": CLIENT_THEIRS}
    )
    before = fingerprint(repo)
    assert git_ok(repo, "merge", "feature").returncode == 1
    return repo, before


async def test_keys_undo_redo_write_and_abort_on_a_plain_merge(tmp_path: Path) -> None:
    repo, before = conflicted_repo(tmp_path)
    conflicted = (repo / "client.py").read_bytes()
    app = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        editor = app.screen
        state = editor.session.file("client.py")
        await pilot.press("w")  # markers left: asks
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert (repo / "client.py").read_bytes() == conflicted
        await pilot.press("t")
        assert state.choices[0].result == "    timeout = 5\n"
        await pilot.press("u")
        assert not state.choices
        await pilot.press("ctrl+r")
        assert state.choices[0].how == "theirs"
        await pilot.press("s")
        assert state.rendered() == CLIENT_BASE
        assert (repo / "client.py").read_bytes() == conflicted  # nothing written before w
        await pilot.press("ctrl+a")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.return_value is False)
    assert fingerprint(repo) == before


async def test_edit_a_hunk_write_and_conclude(tmp_path: Path) -> None:
    repo, _ = conflicted_repo(tmp_path)
    app = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        await pilot.press("e")
        area = app.screen.query_one("TextArea")
        area.text = "    timeout = 15\n"
        await pilot.press("ctrl+s")
        await pilot.press("w")
        await wait_until(pilot, lambda: app.screen.session.file("client.py").written)
        await pilot.press("c")
        await wait_until(pilot, lambda: app.return_value is True)
    assert (repo / "client.py").read_text() == CLIENT_BASE.replace("10", "15")
    assert len(run_git(repo, "rev-list", "--parents", "-n", "1", "HEAD").split()) == 3


async def test_leaving_with_choices_asks_and_they_come_back(tmp_path: Path) -> None:
    repo, _ = conflicted_repo(tmp_path)
    app = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        await pilot.press("o", "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: app.return_value is None and not app.is_running)
    reopened = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with reopened.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: isinstance(reopened.screen, MergeEditorScreen) and reopened.screen.loaded
        )
        state = reopened.screen.session.file("client.py")
        assert state.choices[0].how == "ours" and reopened.screen.session.restored == 1


async def test_help_lists_the_merge_editor_keys(tmp_path: Path) -> None:
    repo, _ = conflicted_repo(tmp_path)
    app = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        await pilot.press("question_mark")
        text = summary_text(app, "#help-table")
        for words in ("Take ours", "Take theirs", "Accept safe suggestions", "Conclude", "Abort merge"):
            assert words in text


class FakeLLM:
    """A local server speaking the chat-completions protocol; it records what it was sent."""

    def __init__(self, answer: dict) -> None:
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                reply = {
                    "id": "x",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": json.dumps(answer)},
                        }
                    ],
                }
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def fake_llm(monkeypatch: pytest.MonkeyPatch):
    server = FakeLLM({"result": "    timeout = 20\n", "explanation": "splits the difference"})
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-for-the-fake-server")
    yield server
    server.httpd.shutdown()


async def test_the_llm_suggestion_is_asked_for_redacted_and_never_applied_alone(
    tmp_path: Path, fake_llm
) -> None:
    token = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"
    base = CLIENT_BASE + f'TOKEN = "{token}"\n'
    repo = two_branches(
        tmp_path,
        {"client.py": base},
        {"client.py": base.replace("10", "30")},
        {"client.py": base.replace("10", "5")},
    )
    assert git_ok(repo, "merge", "feature").returncode == 1
    app = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        editor = app.screen
        state = editor.session.file("client.py")
        await pilot.press("l")
        await wait_until(pilot, lambda: any(s.source == "llm" for s in state.suggestions[0]))
        assert not state.choices  # shown, not applied
        (llm,) = [s for s in state.suggestions[0] if s.source == "llm"]
        assert not llm.safe and llm.result == "    timeout = 20\n" and "splits the difference" in llm.reason
        await pilot.press("a")
        assert state.choices[0].source == "llm"
    sent = json.dumps(fake_llm.requests)
    assert token not in sent and "timeout = 30" in sent and "timeout = 5" in sent


async def test_an_agent_with_a_merge_in_progress_is_flagged_and_m_opens_the_editor(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo")
    api = demo.worktrees_root / "SHOP-42-api_agent"
    assert git_ok(api, "merge", "--no-edit", "SHOP-42-auth_agent").returncode == 1
    app = make_app(demo.repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        rows = table_rows(app, "#agents-table")
        api_row = next(row for row in rows if any("api_agent" in cell for cell in row))
        assert any("⚡ 1 conflicted" in cell for cell in api_row)
        table = app.screen.query_one("#agents-table", DataTable)
        table.move_cursor(row=rows.index(api_row))
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        assert [s.path for s in app.screen.files] == [ROUTES]
        assert app.screen.session.worktree == api


async def test_quitting_the_app_with_unwritten_choices_asks_first(tmp_path: Path) -> None:
    repo, _ = conflicted_repo(tmp_path)
    app = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        await pilot.press("t", "ctrl+q")
        assert isinstance(app.screen, ConfirmScreen) and "not written" in str(app.screen.question)
        await pilot.press("n")
        assert isinstance(app.screen, MergeEditorScreen) and app.is_running


def test_writing_into_a_removed_worktree_is_refused(tmp_path: Path) -> None:
    import shutil as shell

    from cdev_tui.conflicts.session import ResolveSession
    from cdev_tui.errors import CdevError

    repo, _ = conflicted_repo(tmp_path)
    session = ResolveSession(repo)
    session.load()
    session.pick("client.py", 0, "ours")
    shell.rmtree(repo)
    with pytest.raises(CdevError, match="the worktree is gone"):
        session.write("client.py")
    assert not repo.exists()


async def test_a_trial_resolution_from_the_conflicts_pane_is_learned(tmp_path: Path) -> None:
    from cdev_tui.conflicts.learned import LearnedStore
    from cdev_tui.conflicts.session import ResolveSession
    from cdev_tui.conflicts.trial import TRIAL_PREFIX, remove_trial, side_of, start_trial
    from cdev_tui.widgets.conflict_matrix import ConflictMatrix

    demo = build_demo(tmp_path / "demo")
    app = make_app(demo.repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "conflicting" in summary_text(app, "#conflicts-summary"))
        await pilot.press("2")
        matrix = app.screen.query_one("#conflicts-matrix", ConflictMatrix)
        await wait_until(pilot, lambda: matrix.selected is not None)
        assert {matrix.selected.row, matrix.selected.column} == {"api_agent", "auth_agent"}
        matrix.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        editor = app.screen
        assert editor.session.worktree.name.startswith(TRIAL_PREFIX)
        assert "trial: api_agent into auth_agent" in editor.sub_title  # as integration meets it
        assert [s.path for s in editor.files] == [ROUTES]
        await pilot.press("a", "a", "b", "w")
        await wait_until(pilot, lambda: editor.files[0].written)
        await pilot.press("escape")
        await wait_until(
            pilot, lambda: not any(p.name.startswith(TRIAL_PREFIX) for p in demo.worktrees_root.iterdir())
        )
        assert not [row for row in table_rows(app, "#agents-table") if any(TRIAL_PREFIX in c for c in row)]
        learned = LearnedStore(app.service.store)
        app.service.store.flush()
        assert learned.count() == 2  # the two hunks chosen by hand; the proven one comes back by itself

    # The real merge (auth's work, then api's, as integration does it) now finds every hunk settled.
    store = app.service.store.__class__(tmp_path / "c.db")
    try:
        ours = side_of("auth_agent", "SHOP-42-auth_agent", None, demo.repo)
        theirs = side_of("api_agent", "SHOP-42-api_agent", None, demo.repo)
        again = start_trial(demo.repo, tmp_path / "scratch", ours, theirs)
        session = ResolveSession(again.worktree, learned=LearnedStore(store))
        session.load()
        routes = session.file(ROUTES)
        assert [routes.suggestions[h.index][0].source for h in routes.hunks] == [
            "structural",
            "learned",
            "learned",
        ]
        assert session.accept_safe() == 3
        remove_trial(demo.repo, again.worktree)
    finally:
        store.close()


async def test_a_learned_resolution_can_be_forgotten_and_the_palette_lists_the_editor(tmp_path: Path) -> None:
    from cdev_tui.conflicts.learned import LearnedStore

    repo, _ = conflicted_repo(tmp_path)
    app = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        editor = app.screen
        titles = {command.title for command in app.get_system_commands(editor)}
        assert {"Take ours", "Conclude", "Abort merge"} <= titles
        learned = LearnedStore(app.service.store)
        learned.remember(
            "client.py",
            "    timeout = 30\n",
            "    timeout = 10\n",
            "    timeout = 5\n",
            "    timeout = 7\n",
            "editor",
        )
        editor.session.reload("client.py")
        editor.refresh_view()
        assert editor.session.suggestions("client.py", 0)[0].source == "learned"
        await pilot.press("F")
        await wait_until(pilot, lambda: not editor.session.suggestions("client.py", 0))
        assert learned.count() == 0


async def test_a_file_changed_on_disk_is_reloaded_or_kept_as_asked(tmp_path: Path) -> None:
    repo, _ = conflicted_repo(tmp_path)
    app = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        editor = app.screen
        await pilot.press("t")
        changed = (repo / "client.py").read_text().replace("open_socket", "connect_socket")
        (repo / "client.py").write_text(changed)
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "changed on disk" in str(app.screen.question)
        await pilot.press("n")  # reload: the edit made elsewhere wins, the choice goes
        await wait_until(pilot, lambda: app.screen is editor and not editor.session.file("client.py").choices)
        assert (repo / "client.py").read_text() == changed
        assert editor.session.file("client.py").hunks[0].after.startswith("    return connect_socket")
        await pilot.press("t")
        (repo / "client.py").write_text(changed + "# another edit\n")
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")  # keep mine: written over the file on disk
        await wait_until(pilot, lambda: editor.session.file("client.py").written)
    assert (repo / "client.py").read_text() == CLIENT_THEIRS.replace("open_socket", "connect_socket")


async def test_concluding_a_merge_into_the_target_that_adds_a_secret_asks_first(tmp_path: Path) -> None:
    from cdev_tui.demo import fake_github_token
    from tests.conflict_repos import merge_conflict

    token = fake_github_token("merge gate")
    repo = merge_conflict(
        tmp_path,
        {"client.py": CLIENT_BASE},
        {"client.py": CLIENT_OURS},
        {"client.py": CLIENT_THEIRS, "deploy.py": f'TOKEN = "{token}"\n'},
    )
    app = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        editor = app.screen
        await pilot.press("o", "w")
        await wait_until(pilot, lambda: editor.session.file("client.py").written)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = f"{app.screen.question} {app.screen.detail}"
        assert "security gate refuses" in question and "deploy.py:1" in question and token not in question
        await pilot.press("n")  # not concluded: the merge is still in progress
        await wait_until(pilot, lambda: app.screen is editor)
        assert (repo / ".git" / "MERGE_HEAD").exists()
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: app.return_value is True)
        events = [e for e in app.service.store.events() if e.kind == "security.gate-override"]
    assert not (repo / ".git" / "MERGE_HEAD").exists()
    assert len(events) == 1 and events[0].message.startswith("merge editor: ")
    assert token not in events[0].message
