"""The command line: ``cdev-tui`` opens the app; each subcommand is the headless twin of a pane.

Every subcommand lives in a module of its own here with ``HELP``, ``register(parser)`` and ``run(args)``;
adding the module adds the subcommand.
Exit codes: 0 success, 1 the check found something, 2 bad input or environment (one line on stderr).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from cdev_tui import __version__
from cdev_tui.cli.common import EXIT_BAD_INPUT, EXIT_OK, common_options, start_dir
from cdev_tui.errors import CdevError

ORDER = (
    "status",
    "plan",
    "spawn",
    "agent",
    "integrate",
    "conflicts",
    "resolve",
    "scan",
    "metrics",
    "alerts",
    "ci",
    "serve",
    "voice",
    "demo",
)
"""Help lists the subcommands in workflow order; any other module here follows alphabetically."""


def subcommands() -> list[str]:
    """The subcommand modules present in this package (``common`` and ``_helpers`` are not commands)."""
    present = {m.name for m in pkgutil.iter_modules(__path__) if m.name != "common" and m.name[0] != "_"}
    return [n for n in ORDER if n in present] + sorted(present - set(ORDER))


def _first_positional(argv: Sequence[str]) -> str | None:
    """The first argument that is neither an option nor the value of ``--repo``/``--db``."""
    args = iter(argv)
    for arg in args:
        if arg in ("--repo", "--db"):
            next(args, None)  # their value, whatever it is called
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser for every subcommand; given the command line, only for the subcommand it names
    (each one imports its module, and a command should not pay for the others)."""
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="cdev-tui",
        parents=[common],
        description="A terminal dashboard for parallel AI coding agents in git worktrees.",
    )
    parser.add_argument("--version", action="version", version=f"cdev-tui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = subcommands()
    argv = list(argv or ())
    command = _first_positional(argv)
    # The app alone (no command) needs no command module; help and unknown commands list them all.
    if command in names:
        wanted = [command]
    elif command is not None or {"-h", "--help"} & set(argv):
        wanted = names
    else:
        wanted = []
    for name in wanted:
        module = importlib.import_module(f"cdev_tui.cli.{name}")
        sub = commands.add_parser(
            name, parents=[common_options(after_command=True)], help=module.HELP, description=module.HELP
        )
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cdev-tui`` console script."""
    args = build_parser(sys.argv[1:] if argv is None else argv).parse_args(argv)
    try:
        if args.command is None:
            return _run_tui(args)
        return importlib.import_module(f"cdev_tui.cli.{args.command}").run(args)
    except CdevError as exc:
        print(f"cdev-tui: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


def _run_tui(args: argparse.Namespace) -> int:
    from cdev_tui.app import make_app

    make_app(start_dir(args), db=args.db).run()
    return EXIT_OK
