"""``cdev-tui agent``: the agent actions headless (checklist, complete, commit, remove, delete-branch, prune, open).

Exit codes: 0 done, 1 refused by a gate (incomplete checklist, dirty worktree, unmerged branch, a declined
confirmation), 2 bad input (unknown agent, bad item number, no ``--yes`` without a terminal to ask on).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from cdev_tui.cli import _agent_sessions as agent_sessions
from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, action_options, add_format, print_json, with_service
from cdev_tui.errors import CdevError

HELP = (
    "agent actions: check, uncheck, complete, commit, remove, delete-branch, prune, open; "
    "its program's session: start, send, peek, stop, attach"
)

_CHANGES_STATE = ("check", "uncheck", "complete", "commit")


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    add_format(sub)
    options = action_options()
    actions = sub.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, help: str) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, parents=[options], help=help, description=help)
        if name != "prune":
            parser.add_argument("agent", metavar="AGENT", help="the agent id")
        return parser

    for name, verb in (("check", "tick"), ("uncheck", "untick")):
        parser = action(name, f"{verb} checklist items")
        parser.add_argument("numbers", metavar="N", type=int, nargs="+", help="item numbers, from 1")
    action("complete", "tick every checklist item and create the COMPLETED marker")
    parser = action("commit", "commit the agent's work on its branch with a generated message")
    parser.add_argument("-m", "--message", default=None, help="use this commit message instead")
    parser.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="commit although the checklist or planned files are not done",
    )
    parser = action("remove", "remove the agent's worktree (the branch stays)")
    parser.add_argument(
        "--force", action="store_true", help="also when it has uncommitted changes (discards them)"
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser = action("delete-branch", "delete the agent's branch once it is merged into the target")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    action("prune", "forget worktrees whose folders are gone (git worktree prune)")
    parser = action("open", "open the worktree in $EDITOR, $SHELL or the configured agent command")
    parser.add_argument("what", choices=("editor", "shell", "agent"), help="what to open")
    parser.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    agent_sessions.register(action)


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    return with_service(args, lambda service: _run(args, service))


def _run(args: argparse.Namespace, service: Any) -> int:
    from cdev_tui import actions

    agent_id = getattr(args, "agent", None)
    if args.action in agent_sessions.ACTIONS:
        return agent_sessions.run(args, service)
    try:
        if args.action == "prune":
            result = actions.prune_worktrees(service.paths.repo)
            return _done(args, service, None, result)
        snapshot = service.load()
        agent = snapshot.require_agent(agent_id)
        if agent.facts.remote:
            raise actions.ActionRefused(actions.remote_refusal(agent))
        if args.action == "open":
            return _open(args, service, agent)
        if args.action == "check":
            result = actions.check_items(agent, args.numbers)
        elif args.action == "uncheck":
            result = actions.uncheck_items(agent, args.numbers)
        elif args.action == "complete":
            result = actions.mark_complete(agent)
        elif args.action == "commit":
            result = actions.commit_agent(agent, message=args.message, allow_incomplete=args.allow_incomplete)
        elif args.action == "remove":
            question = f"Remove worktree {agent.facts.worktree}"
            question += " and DISCARD its uncommitted changes?" if args.force else " (the branch stays)?"
            result = _confirmed(
                args, lambda yes: actions.remove_worktree(agent, confirm=yes, force=args.force), question
            )
        else:
            branch, paths = agent.facts.branch, snapshot.paths
            if not branch:
                raise CdevError(f"{agent_id}: has no branch")
            result = _confirmed(
                args,
                lambda yes: actions.delete_branch(paths.repo, branch, paths.target, confirm=yes),
                f"Delete branch {branch} (merged into {paths.target})?",
            )
    except actions.ActionRefused as exc:
        return _refused(args, agent_id, str(exc))
    return _done(args, service, agent_id, result)


def _confirmed(args: argparse.Namespace, work: Callable[[bool], Any], question: str) -> Any:
    """Run a destructive action: the gates first, then ``--yes`` or a question on the terminal."""
    from cdev_tui.actions import ActionRefused, NeedsConfirmation

    try:
        return work(bool(args.yes))
    except NeedsConfirmation:
        if not sys.stdin.isatty():
            raise CdevError(f"{question.rstrip('?')}: needs confirmation; pass --yes") from None
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = input()
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise ActionRefused("cancelled, nothing changed")
    return work(True)


def _open(args: argparse.Namespace, service: Any, agent: Any) -> int:
    from cdev_tui.actions import open_command

    argv = open_command(agent, args.what, service.config)
    cwd = agent.facts.worktree
    if args.dry_run:
        if args.format == "json":
            print_json({"action": "open", "agent": agent.agent_id, "ok": True, "argv": argv, "cwd": str(cwd)})
        else:
            print(shlex.join(argv))
        return EXIT_OK
    try:
        code = subprocess.run(argv, cwd=cwd, check=False).returncode
    except FileNotFoundError:
        raise CdevError(f"{argv[0]}: command not found (opening {args.what} for {agent.agent_id})") from None
    except OSError as exc:
        raise CdevError(f"{argv[0]}: cannot run ({exc.strerror})") from None
    service.store.record_event("action", f"{agent.agent_id}: opened {args.what}", agent.agent_id)
    if args.format == "json":
        document = {"action": "open", "agent": agent.agent_id, "ok": code == 0, "argv": argv, "cwd": str(cwd)}
        print_json({**document, "exit_code": code})
    if code != 0:
        print(f"cdev-tui: {argv[0]} exited with code {code}", file=sys.stderr)
        return EXIT_FOUND
    return EXIT_OK


def _done(args: argparse.Namespace, service: Any, agent_id: str | None, result: Any) -> int:
    service.store.record_event("action", result.message, agent_id or "")
    coordination = _sync(service) if args.action in _CHANGES_STATE else None
    if args.format == "json":
        document = {"action": args.action, "agent": agent_id, "ok": True, "message": result.message}
        document["result"] = asdict(result)
        if coordination is not None:
            document["coordination"] = coordination
        print_json(document)
    else:
        print(result.message)
        if getattr(result, "pruned", None):
            for line in result.pruned:
                print(f"  {line}")
    return EXIT_OK


def _refused(args: argparse.Namespace, agent_id: str | None, message: str) -> int:
    if args.format == "json":
        print_json({"action": args.action, "agent": agent_id, "ok": False, "message": message})
    else:
        print(f"cdev-tui: refused: {message}", file=sys.stderr)
    return EXIT_FOUND


def _sync(service: Any) -> str | None:
    """Re-read the workspace after an action; the service brings the coordination status up to date."""
    snapshot = service.load()
    for notice in snapshot.notices:  # the action itself succeeded; a bad status file is only worth a warning
        print(f"cdev-tui: warning: {notice}", file=sys.stderr)
    return service.last_sync_message
