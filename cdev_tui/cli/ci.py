"""``cdev-tui ci init github|gitlab``: a CI workflow running the secret scan, the conflict check and the tests."""

from __future__ import annotations

import argparse
from typing import Any

from cdev_tui.cli.common import EXIT_OK, action_options, add_format, print_json, with_service
from cdev_tui.errors import CdevError

HELP = "CI recipes: ci init github|gitlab writes a workflow running cdev-tui's checks"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    add_format(sub)
    actions = sub.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init", parents=[action_options()], help="write the workflow", description="write the workflow"
    )
    init.add_argument("platform", choices=("github", "gitlab"), help="where the CI runs")
    init.add_argument(
        "--agents",
        default=None,
        help="agent branches as remote patterns, comma-separated (default: remote_agents, else one per task plan)",
    )
    init.add_argument("--test-command", default=None, help="the project's tests (default: test_command)")
    init.add_argument(
        "--install", default=None, help="how the CI installs cdev-tui (default: pip install cdev-tui)"
    )
    init.add_argument("--force", action="store_true", help="replace a workflow that is already there")


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    return with_service(args, lambda service: _init(args, service))


def _init(args: argparse.Namespace, service: Any) -> int:
    from cdev_tui.ci_templates import DEFAULT_INSTALL, PLATFORMS, WRITERS, CiSettings
    from cdev_tui.workspace_files import atomic_write_text

    snapshot = service.load()
    paths, config = snapshot.paths, service.config
    path = paths.repo / PLATFORMS[args.platform]
    if path.exists() and not args.force:
        raise CdevError(f"{path}: already there (pass --force to replace it)")
    agents = _patterns(args.agents) if args.agents is not None else _default_agents(snapshot, config)
    settings = CiSettings(
        agents=agents,
        target=paths.target,
        test_command=args.test_command or config.test_command,
        install=args.install or DEFAULT_INSTALL,
    )
    atomic_write_text(path, WRITERS[args.platform](settings))
    message = f"wrote {path.relative_to(paths.repo)}: secret scan, conflicts on {', '.join(agents)}"
    message += ", tests" if settings.test_command else " (no test_command: add the tests)"
    if args.format == "json":
        print_json(
            {"action": "ci init", "platform": args.platform, "path": str(path), "agents": list(agents)}
        )
    else:
        print(message)
    return EXIT_OK


def _patterns(text: str) -> tuple[str, ...]:
    patterns = tuple(p.strip() for p in text.split(",") if p.strip())
    bad = [p for p in patterns if "/" not in p.strip("/")]
    if not patterns or bad:
        raise CdevError(f"--agents {text!r}: give remote/branch-pattern values such as origin/agent/*")
    return patterns


def _default_agents(snapshot: Any, config: Any) -> tuple[str, ...]:
    """The configured remote agents, else ``origin/<TASK>-*`` for every task plan, else ``origin/agent/*``."""
    if config.remote_agents:
        return tuple(config.remote_agents)
    tasks = [plan.task_id for plan in snapshot.task_plans if plan.task_id and plan.task_id != "unknown"]
    return tuple(f"origin/{task}-*" for task in dict.fromkeys(tasks)) or ("origin/agent/*",)
