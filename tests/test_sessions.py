"""Agent sessions without the app: a scripted agent program in our own tmux server, driven through the CLI.

Real tmux on a private socket, real processes: start → working → waiting → answered → working → idle →
exited (code 3), as ``status --format json`` tells it; peek, send, stop; every bad input a one-line error.
"""

from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path

import pytest

from cdev_tui.cli import main
from cdev_tui.demo import DemoWorkspace
from cdev_tui.errors import CdevError
from cdev_tui.sessions.answers import read_question
from cdev_tui.sessions.control import AgentSessions
from cdev_tui.sessions.monitor import SessionMonitor
from cdev_tui.sessions.programs import BUILTIN_PROFILES, ProgramProfile, parse_programs
from cdev_tui.sessions.state import SessionState, classify
from cdev_tui.sessions.tmux import TmuxServer
from tests.sessiontools import eventually, scripted, scripted_command, server_of, session_demo, with_programs

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (make test installs it)"
)
__all__ = ["session_demo"]


def cli(demo: DemoWorkspace, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--repo", str(demo.repo), "--db", str(demo.repo.parent / "c.db")])
    out, err = capsys.readouterr()
    return code, out, err


def session(demo: DemoWorkspace, capsys: pytest.CaptureFixture[str], agent_id: str) -> dict | None:
    code, out, _ = cli(demo, capsys, "status", "--format", "json")
    assert code == 0
    return next(a["session"] for a in json.loads(out)["agents"] if a["id"] == agent_id)


def state_becomes(demo: DemoWorkspace, capsys: pytest.CaptureFixture[str], agent_id: str, state: str) -> dict:
    def reached() -> dict | None:
        found = session(demo, capsys, agent_id)
        return found if found is not None and found["state"] == state else None

    return eventually(reached, what=f"{agent_id}'s session to be {state}")  # type: ignore[return-value]


def test_a_program_goes_through_every_state_as_status_json_tells(
    session_demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = session_demo
    assert session(demo, capsys, "auth_agent") is None  # no session yet: null
    code, out, _ = cli(demo, capsys, "agent", "start", "auth_agent")
    assert code == 0 and "auth_agent: started scripted" in out
    working = state_becomes(demo, capsys, "auth_agent", "working")
    assert working["program"] == "scripted" and working["pid"] > 0 and working["exit_code"] is None
    state_becomes(demo, capsys, "auth_agent", "waiting")
    code, out, _ = cli(demo, capsys, "agent", "peek", "auth_agent", "--plain")
    assert code == 0 and "Proceed with the change? [y/n]" in out
    assert "task: You are auth_agent" in out  # the first prompt, built from its files, went in as an argument
    assert cli(demo, capsys, "agent", "send", "auth_agent", "y")[0] == 0
    state_becomes(demo, capsys, "auth_agent", "working")
    idle = state_becomes(demo, capsys, "auth_agent", "idle")  # done, at its prompt: "waiting for the next…"
    assert (
        "Waiting for the next instruction" in cli(demo, capsys, "agent", "peek", "auth_agent", "--plain")[1]
    )
    assert cli(demo, capsys, "agent", "send", "auth_agent", "exit")[0] == 0
    state_becomes(demo, capsys, "auth_agent", "exited")

    def exit_code_told() -> dict | None:
        found = session(demo, capsys, "auth_agent")
        return found if found and found["exit_code"] is not None else None

    exited = eventually(exit_code_told, what="its exit code")  # tmux may tell it a moment after the death
    assert exited["exit_code"] == 3 and exited["pid"] is None
    assert exited["since"] >= idle["since"]
    code, out, err = cli(demo, capsys, "agent", "send", "auth_agent", "more")
    assert code == 2 and "has exited (code 3)" in err


def test_sessions_are_found_again_by_a_new_process_and_keep_their_time(
    session_demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = session_demo
    assert cli(demo, capsys, "agent", "start", "api_agent")[0] == 0
    first = state_becomes(demo, capsys, "api_agent", "waiting")
    time.sleep(1.2)
    again = session(demo, capsys, "api_agent")  # a later process: the time it started waiting is kept
    assert again is not None and again["state"] == "waiting" and again["since"] == first["since"]
    code, _, err = cli(demo, capsys, "agent", "start", "api_agent")
    assert code == 2 and "already running" in err


def test_stop_asks_first_then_ends_the_session(
    session_demo: DemoWorkspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = session_demo
    assert cli(demo, capsys, "agent", "start", "auth_agent")[0] == 0
    code, _, err = cli(demo, capsys, "agent", "stop", "auth_agent")  # no terminal to ask on
    assert code == 2 and "needs confirmation; pass --yes" in err
    assert session(demo, capsys, "auth_agent") is not None

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    code, _, err = cli(demo, capsys, "agent", "stop", "auth_agent")
    assert code == 1 and "cancelled" in err and session(demo, capsys, "auth_agent") is not None
    code, out, _ = cli(demo, capsys, "agent", "stop", "auth_agent", "--yes")
    assert code == 0 and "session stopped" in out
    assert session(demo, capsys, "auth_agent") is None
    assert not server_of(demo).running()  # the last session took our tmux server with it


def test_bad_input_is_one_clear_line_with_exit_code_2(
    session_demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = session_demo
    with_programs(demo, {"ghost": 'command = "no-such-agent-cli --fast"'})
    cases = [
        (("agent", "start", "nobody"), "unknown agent 'nobody'"),
        (("agent", "start", "auth_agent", "--program", "nothing"), "unknown program 'nothing'"),
        (("agent", "start", "auth_agent", "--program", "ghost"), "no-such-agent-cli: command not found"),
        (("agent", "send", "auth_agent", "hello"), "auth_agent: no program session"),
        (("agent", "peek", "auth_agent"), "auth_agent: no program session"),
        (("agent", "stop", "auth_agent", "--yes"), "auth_agent: no program session"),
    ]
    for argv, message in cases:
        code, out, err = cli(demo, capsys, *argv)
        assert code == 2 and message in err and "Traceback" not in err, argv
        assert len(err.strip().splitlines()) == 1
    shutil.rmtree(demo.worktree("cart_agent"))
    code, _, err = cli(demo, capsys, "agent", "start", "cart_agent")
    assert code == 2 and "is gone" in err
    assert cli(demo, capsys, "agent", "start", "auth_agent")[0] == 0
    server_of(demo).kill_server()  # the tmux server dies under us
    code, _, err = cli(demo, capsys, "agent", "send", "auth_agent", "hello")
    assert code == 2 and "no program session" in err
    code, out, _ = cli(demo, capsys, "status", "--format", "json")
    assert code == 0 and all(a["session"] is None for a in json.loads(out)["agents"])


def test_a_program_that_takes_its_prompt_typed_gets_it_once_it_waits(
    session_demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = session_demo
    with_programs(demo, {"typist": scripted("idle; exit 0", prompt="typed")})
    code, out, _ = cli(
        demo, capsys, "agent", "start", "auth_agent", "--program", "typist", "--prompt", "fix the tokens"
    )
    assert code == 0, out
    code, out, _ = cli(demo, capsys, "agent", "peek", "auth_agent", "--plain")
    assert "instruction: fix the tokens" in out


def test_hooks_writing_a_status_file_refine_the_state(
    session_demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = session_demo
    with_programs(demo, {"hooked": scripted("pause 60", extra='status_file = ".agent-state"')})
    assert cli(demo, capsys, "agent", "start", "auth_agent", "--program", "hooked")[0] == 0
    state_becomes(demo, capsys, "auth_agent", "idle")  # sleeping: neither printing nor reading its terminal
    (demo.worktree("auth_agent") / ".agent-state").write_text("waiting\n")  # what its hook writes
    state_becomes(demo, capsys, "auth_agent", "waiting")


def test_a_program_tells_its_own_state_through_cdev_agent_state(
    session_demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = session_demo
    teller = """sh -c 'printf waiting > "$CDEV_AGENT_STATE"; sleep 60'"""
    with_programs(demo, {"teller": f"command = {json.dumps(teller)}"})
    assert cli(demo, capsys, "agent", "start", "cart_agent", "--program", "teller")[0] == 0
    state_becomes(demo, capsys, "cart_agent", "waiting")  # sleeping, yet it said so itself
    hooks = json.loads(BUILTIN_PROFILES["claude"].argv("go")[2])["hooks"]  # claude --settings JSON go
    assert BUILTIN_PROFILES["claude"].argv("go")[-1] == "go"
    commands = {event: [h["command"] for g in groups for h in g["hooks"]] for event, groups in hooks.items()}
    assert commands["Stop"] == ['printf idle > "$CDEV_AGENT_STATE"']
    assert 'printf waiting > "$CDEV_AGENT_STATE"' in commands["Notification"]


def test_the_monitor_follows_a_program_through_every_state_from_events(session_demo: DemoWorkspace) -> None:
    demo = session_demo
    server = server_of(demo)
    table = {"command": scripted_command(ASKS_FAST), "idle_patterns": ["Waiting for the next instruction"]}
    profile = parse_programs({"scripted": table}, "test")
    sessions = AgentSessions(server, profile, "scripted", quiet_seconds=0.6)
    seen: list[tuple[str, int | None]] = []

    def moved(current: dict) -> None:
        info = current.get("auth_agent")
        if info is not None and (not seen or seen[-1] != (str(info.state), info.exit_code)):
            seen.append((str(info.state), info.exit_code))

    monitor = SessionMonitor(sessions, moved)
    monitor.start()
    try:
        server.start("auth_agent", "scripted", profile["scripted"].argv(), demo.worktree("auth_agent"))
        monitor.refresh()
        eventually(lambda: seen and seen[-1][0] == "waiting", what="waiting")
        sessions.send("auth_agent", "y")
        eventually(lambda: seen and seen[-1][0] == "idle", what="idle")
        sessions.send("auth_agent", "exit")
        eventually(lambda: seen and seen[-1][0] == "exited", what="exited")
    finally:
        monitor.close()
    assert seen[:4] == [("working", None), ("waiting", None), ("working", None), ("idle", None)]
    assert seen[-1] == ("exited", 3)  # (its goodbye line may show as working for a moment in between)
    assert seen[4:-1] in ([], [("working", None)])


ASKS_FAST = "work 1; ask Go on?; work 1; idle; exit 3"


# -- Textual-free pieces ---------------------------------------------------------------------------------------


def test_screen_patterns_and_the_terminal_read_decide_a_quiet_program() -> None:
    claude = BUILTIN_PROFILES["claude"]
    permission = "Bash command\n  rm -rf build\nDo you want to proceed?\n❯ 1. Yes\n  2. No, and tell Claude"
    assert classify(claude, dead=False, quiet=True, screen=permission) is SessionState.WAITING
    spinner = "✻ Thinking… (12s · esc to interrupt)"
    assert classify(claude, dead=False, quiet=True, screen=spinner) is SessionState.WORKING
    generic = ProgramProfile("plain", "plain")
    assert classify(generic, dead=False, quiet=True, reading_terminal=True) is SessionState.WAITING
    assert classify(generic, dead=False, quiet=True, reading_terminal=False) is SessionState.IDLE
    assert classify(generic, dead=False, quiet=False, reading_terminal=True) is SessionState.WORKING
    assert classify(generic, dead=True, quiet=True) is SessionState.EXITED


def test_questions_and_answers_are_read_from_the_screen() -> None:
    menu = read_question(
        "\x1b[1mEdit file src/app.py?\x1b[0m\n Do you want to make this edit?\n❯ 1. Yes\n"
        "  2. Yes, and don't ask again this session\n  3. No, and tell Claude what to do differently\n"
    )
    assert menu is not None and menu.text == "Do you want to make this edit?"
    assert [c.keys for c in menu.choices] == ["1", "2", "3"]
    assert menu.yes().keys == "1" and not menu.yes().destructive
    assert (
        menu.no().keys == "3" and menu.choice("2").destructive
    )  # "don't ask again" approves everything after
    risky = read_question("Delete the old migrations? [y/n] ")
    assert risky is not None and risky.yes().destructive and not risky.no().destructive
    assert read_question("● working… step 3\n") is None


def test_program_profiles_in_the_config_are_checked() -> None:
    profiles = parse_programs({"mine": {"command": "my-agent --fast", "prompt": "typed"}}, "config.toml")
    assert profiles["mine"].argv("hi") == ["my-agent", "--fast"]  # typed, not an argument
    assert BUILTIN_PROFILES["gemini"].argv("hi") == ["gemini", "-i", "hi"]
    with pytest.raises(CdevError, match=r"programs\.mine: command is missing"):
        parse_programs({"mine": {"prompt": "typed"}}, "config.toml")
    with pytest.raises(CdevError, match="prompt must be one of argument, typed, none"):
        parse_programs({"claude": {"prompt": "shouted"}}, "config.toml")
    with pytest.raises(CdevError, match="bad regular expression"):
        parse_programs({"claude": {"waiting_patterns": ["(unclosed"]}}, "config.toml")


def test_no_server_means_no_sessions_without_starting_tmux(tmp_path: Path) -> None:
    server = TmuxServer("cdev-tui-test-nothing-here")
    assert server.panes() == [] and not server.running()


def test_usage_and_cost_per_agent_and_per_task_come_from_claude_transcripts(
    session_demo: DemoWorkspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cdev_tui.service import open_service
    from cdev_tui.sessions.usage import claude_project_folder
    from tests.test_session_usage import OPUS, assistant, write_lines

    demo = session_demo
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude"))
    for agent_id, tokens in (("auth_agent", 1_000_000), ("api_agent", 2_000_000)):
        worktree = demo.worktree(agent_id)
        transcript = claude_project_folder(worktree) / "s.jsonl"
        transcript.parent.mkdir(parents=True)
        write_lines(transcript, assistant(f"m-{agent_id}", OPUS, inp=tokens, out=0, cwd=str(worktree)))
    service = open_service(demo.repo, db=tmp_path / "u.db")
    try:
        snapshot = service.load()
        assert "2,000,000 tokens" in service.session_usage_text(snapshot, "api_agent", "claude")
        text = service.session_usage_text(snapshot, "auth_agent", "claude")
        price = DEFAULT_PRICES_FOR_OPUS
        assert f"1,000,000 tokens · ≈ ${price:,.2f}" in text  # a million input tokens at the list price
        assert f"Task SHOP-42, 2 agents: 3,000,000 tokens · ≈ ${3 * price:,.2f}" in text
        assert service.session_usage_text(snapshot, "auth_agent", "demo") == ""  # records nothing locally
        rows = service.store.query("SELECT agent_id, input, cost_usd FROM agent_usage ORDER BY agent_id")
        assert [(r["agent_id"], r["input"]) for r in rows] == [
            ("api_agent", 2_000_000),
            ("auth_agent", 1_000_000),
        ]
    finally:
        service.close()


DEFAULT_PRICES_FOR_OPUS = 5.0
"""Claude Opus 4.6's list price per million input tokens (the built-in price table)."""


def test_each_agent_runs_the_program_its_config_or_plan_names(
    session_demo: DemoWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = session_demo
    with_programs(demo, {"other": scripted("pause 30")})
    config = demo.repo / ".cdev" / "config.toml"
    config.write_text(config.read_text() + '\n[agent_programs]\napi_agent = "other"\n')
    assert cli(demo, capsys, "agent", "start", "api_agent")[0] == 0  # the config's choice
    assert cli(demo, capsys, "agent", "start", "auth_agent")[0] == 0  # the default
    assert session(demo, capsys, "api_agent")["program"] == "other"
    assert session(demo, capsys, "auth_agent")["program"] == "scripted"
    config.write_text(config.read_text().replace('api_agent = "other"', 'api_agent = ""'))
    code, _, err = cli(demo, capsys, "status")
    assert code == 2 and "agent_programs must be a table of agent id = program name" in err
