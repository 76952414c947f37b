"""What every subcommand shares: the common options, exit codes, opening the repository, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from cdev_tui.errors import CdevError

EXIT_OK, EXIT_FOUND, EXIT_BAD_INPUT = 0, 1, 2
T = TypeVar("T")


def common_options(*, after_command: bool = False) -> argparse.ArgumentParser:
    """The options every command takes: ``--repo`` and ``--db``.

    ``after_command``: the copy a subcommand takes, which sets them only when given there, so that
    ``cdev-tui --repo R status`` keeps the value given before the subcommand.
    """
    default = argparse.SUPPRESS if after_command else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--repo", type=Path, default=default, help="repository to open (default: the current one)"
    )
    common.add_argument(
        "--db", type=Path, default=default, help="store file (default: <git common dir>/cdev/cdev.db)"
    )
    return common


def action_options() -> argparse.ArgumentParser:
    """``--repo``, ``--db`` and ``--format`` again after a sub-action, without overriding values given before it."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--repo", type=Path, default=argparse.SUPPRESS, help="repository to open")
    options.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="store file")
    options.add_argument(
        "--format", choices=("table", "json"), default=argparse.SUPPRESS, help="output format"
    )
    return options


def add_format(sub: argparse.ArgumentParser, *extra: str) -> None:
    """``--format table|json`` plus any extra formats the command offers."""
    sub.add_argument("--format", choices=("table", "json", *extra), default="table", help="output format")


def start_dir(args: argparse.Namespace) -> Path:
    """The folder the command works on (``--repo`` or the current directory), which must exist."""
    start = (args.repo or Path.cwd()).expanduser()
    if not start.exists():
        raise CdevError(f"{start}: no such directory")
    return start.resolve()


def with_service(args: argparse.Namespace, work: Callable[[Any], T]) -> T:
    """Run ``work(service)`` on the repository the arguments name, closing the store afterwards."""
    from cdev_tui.service import open_service

    service = open_service(start_dir(args), db=args.db)
    try:
        return work(service)
    finally:
        service.close()


def print_json(data: Any) -> None:
    """One JSON object on stdout."""
    json.dump(data, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def ask_on_terminal(question: str, refusal: str) -> bool:
    """Ask a yes/no ``question`` on the terminal; ``refusal`` is the bad-input error when nobody can answer."""
    if not sys.stdin or not sys.stdin.isatty():
        raise CdevError(refusal)
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")
