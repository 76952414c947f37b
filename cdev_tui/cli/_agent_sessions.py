"""``cdev-tui agent start|send|peek|stop|attach``: each agent's program in its own tmux session of ours."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, ask_on_terminal, print_json
from cdev_tui.errors import CdevError

ACTIONS = ("start", "send", "peek", "stop", "attach")


def register(action: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Add the session actions to ``cdev-tui agent``."""
    parser = action("start", "start the agent's program in its own tmux session, in its worktree")
    parser.add_argument(
        "--program", default=None, help="the program profile (default: the plan's, else agent_program)"
    )
    parser.add_argument(
        "--prompt", default=None, help="the first prompt (default: built from the agent's files)"
    )
    parser = action("send", "type TEXT (and Enter) into the agent's program")
    parser.add_argument("text", metavar="TEXT", help="what to type")
    parser.add_argument("--no-enter", action="store_true", help="type it without pressing Enter")
    parser = action("peek", "print the last screenful of the agent's terminal")
    parser.add_argument("--lines", type=int, default=0, metavar="N", help="also N lines of history above it")
    parser.add_argument("--plain", action="store_true", help="without colours")
    parser = action("stop", "end the agent's program and its session")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    action("attach", "attach this terminal to the agent's session (detach: the tmux prefix, then d)")


def run(args: argparse.Namespace, service: Any) -> int:
    """Run one session action; exit 0 done, 1 declined, 2 bad input (unknown agent, no session, no program)."""
    from cdev_tui.sessions.tmux import TmuxError

    agent_id = args.agent
    snapshot = service.load()
    worktree = snapshot.require_agent(agent_id).facts.worktree
    sessions = service.sessions
    try:
        if args.action == "start":
            message = service.start_session(snapshot, agent_id, args.program, args.prompt)
        elif args.action == "send":
            sessions.send(agent_id, args.text, enter=not args.no_enter)
            message = f"{agent_id}: sent {len(args.text)} characters" + (
                "" if args.no_enter else " and Enter"
            )
        elif args.action == "peek":
            if args.lines < 0:
                raise CdevError(f"--lines must be 0 or more, got {args.lines}")
            screen = sessions.peek(agent_id, args.lines, ansi=not args.plain and sys.stdout.isatty())
            if args.format == "json":
                print_json({"action": "peek", "agent": agent_id, "ok": True, "screen": screen})
            else:
                print(screen)
            return EXIT_OK
        elif args.action == "stop":
            sessions.pane(agent_id)  # a clear error before asking when there is none
            question = f"Stop {agent_id}'s program and end its session?"
            if not args.yes and not ask_on_terminal(
                question, f"{question.rstrip('?')}: needs confirmation; pass --yes"
            ):
                return _declined(args, agent_id)
            message = service.stop_session(agent_id)
        else:
            return _attach(sessions, agent_id)
    except TmuxError as exc:
        raise CdevError(str(exc)) from None
    if args.format == "json":
        document: dict[str, Any] = {"action": args.action, "agent": agent_id, "ok": True, "message": message}
        pane = sessions.panes().get(agent_id)
        if pane is not None:
            document["session"] = sessions.observe(pane, worktree).to_json()
        print_json(document)
    else:
        print(message)
    return EXIT_OK


def _attach(sessions: Any, agent_id: str) -> int:
    argv = sessions.attach_argv(agent_id)
    if not sys.stdin.isatty():
        raise CdevError(f"{agent_id}: attaching needs a terminal (run: {' '.join(argv)})")
    env = {
        k: v for k, v in os.environ.items() if k != "TMUX"
    }  # our server is another one: no nesting warning
    return subprocess.run(argv, env=env, check=False).returncode and EXIT_FOUND


def _declined(args: argparse.Namespace, agent_id: str) -> int:
    if args.format == "json":
        print_json({"action": args.action, "agent": agent_id, "ok": False, "message": "cancelled"})
    else:
        print("cdev-tui: cancelled, nothing changed", file=sys.stderr)
    return EXIT_FOUND
