"""``cdev-tui resolve``: the merge editor on a worktree with a conflict in progress, or its headless twin.

Without ``--format``, ``--apply`` or ``--abort`` on a terminal it opens the merge editor. Otherwise it lists
every conflicted file and hunk with its suggestions (``--format json``), writes the safe suggestions of the
sources named by ``--apply`` and stages the files they fully resolve, or aborts the operation. Exit codes:
0 nothing left to resolve, 1 conflicts remain, 2 bad input (no conflict in progress, not a worktree).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, ask_on_terminal, print_json
from cdev_tui.errors import CdevError

HELP = "resolve a merge, rebase, cherry-pick or stash conflict: the merge editor, or its suggestions headless"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help="a worktree with a conflict in progress, or one conflicted file in it (default: --repo or here)",
    )
    sub.add_argument(
        "--apply",
        metavar="SOURCES",
        default=None,
        help="write the safe suggestions of these sources (comma-separated: trivial, structural, learned)",
    )
    sub.add_argument("--abort", action="store_true", help="abort the merge (back to the state before it)")
    sub.add_argument("--yes", action="store_true", help="answer the --abort confirmation")
    sub.add_argument("--format", choices=("table", "json"), default=None, help="output format")


def parse_sources(text: str, option: str = "--apply") -> tuple[str, ...]:
    """``trivial,learned`` → the source names; ``safe`` means all three."""
    from cdev_tui.conflicts.suggestions import SAFE_SOURCES

    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if names == ("safe",):
        return SAFE_SOURCES
    unknown = [n for n in names if n not in SAFE_SOURCES]
    if not names or unknown:
        raise CdevError(
            f"{option}: expected a comma-separated list of {', '.join(SAFE_SOURCES)} (or safe), got {text!r}"
        )
    return names


def _target(args: argparse.Namespace) -> tuple[Path, list[str] | None]:
    """The worktree, and the one file asked for (as a path from the worktree's top) if any."""
    from cdev_tui import gitops

    given = args.path if args.path is not None else (args.repo or Path.cwd())
    given = given.expanduser()
    if not given.exists():
        raise CdevError(f"{given}: no such file or directory (was the worktree removed?)")
    given = given.resolve()
    folder = given if given.is_dir() else given.parent
    top = gitops.repo_root(folder)
    only = None if given.is_dir() else [given.relative_to(top).as_posix()]
    return top, only


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    sources = parse_sources(args.apply) if args.apply is not None else None
    worktree, only = _target(args)
    headless = args.format is not None or sources is not None or args.abort or not sys.stdout.isatty()
    if not headless:
        return _open_editor(args, worktree, only)
    from cdev_tui.service import open_service

    service = open_service(worktree, db=args.db)
    try:
        return _run(args, service, worktree, only, sources)
    finally:
        service.close()


def _open_editor(args: argparse.Namespace, worktree: Path, only: list[str] | None) -> int:
    """The merge editor in the terminal; exit 0 once concluded or aborted, 1 when left with work open."""
    from cdev_tui.app import make_app
    from cdev_tui.conflicts.operation import detect_operation

    operation = detect_operation(worktree)
    if not operation.in_progress:
        raise CdevError(_nothing_to_resolve(worktree, operation.head_label))
    app = make_app(worktree, db=args.db, resolve=worktree, resolve_only=only)
    app.run()
    return EXIT_OK if app.return_value in (True, False) else EXIT_FOUND


def _nothing_to_resolve(worktree: Path, head: str) -> str:
    return (
        f"{worktree}: nothing to resolve (no merge, rebase, cherry-pick or revert in progress, "
        f"no unmerged files; HEAD is {head})"
    )


def _run(
    args: argparse.Namespace,
    service: Any,
    worktree: Path,
    only: list[str] | None,
    sources: tuple[str, ...] | None,
) -> int:
    from cdev_tui.conflicts.learned import LearnedStore
    from cdev_tui.conflicts.session import ResolveSession

    learned = LearnedStore(service.store)
    session = ResolveSession(worktree, learned=learned, only=only)
    session.load()
    operation = session.operation
    assert operation is not None
    if not operation.in_progress:
        raise CdevError(_nothing_to_resolve(worktree, operation.head_label))
    if only and not session.files:
        raise CdevError(f"{only[0]}: not a conflicted file of {worktree}")
    if args.abort:
        return _abort(args, session)
    notes: list[str] = []
    if sources is not None:
        notes = _apply(session, sources)
    hunks_left, files_left = session.remaining()
    if args.format == "json":
        data = session.to_json()
        data["applied"] = notes
        print_json(data)
    else:
        _print_table(session, notes)
    return EXIT_FOUND if hunks_left or files_left else EXIT_OK


def _apply(session: Any, sources: tuple[str, ...]) -> list[str]:
    """Choose every agreed safe suggestion of ``sources``; write the files they touched; stage whole ones."""
    notes = []
    for state in session.files:
        if not state.conflict.is_text or state.written:
            continue
        count = session.accept_safe(state.path, sources)
        if not count:
            continue
        left = state.unresolved
        session.write(state.path, allow_markers=bool(left), stage=not left)
        notes.append(f"{state.path}: {count} hunks resolved" + (f", {left} left" if left else ", staged"))
    return notes


def _abort(args: argparse.Namespace, session: Any) -> int:
    operation = session.operation
    question = f"Abort {operation.describe()} in {session.worktree}? Every resolution made so far is lost."
    if not args.yes and not ask_on_terminal(
        question, f"{session.worktree}: --abort needs confirmation; pass --yes"
    ):
        print("cdev-tui: not aborted, nothing changed", file=sys.stderr)
        return EXIT_FOUND
    message = session.abort()
    if args.format == "json":
        print_json({"worktree": str(session.worktree), "aborted": True, "message": message})
    else:
        print(message)
    return EXIT_OK


def _print_table(session: Any, notes: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    operation = session.operation
    hunks_left, files_left = session.remaining()
    table = Table(title=f"{operation.describe()} — {hunks_left} hunks left in {files_left} files")
    for column in ("File", "Hunk", "Line", "Kind", "Suggestion"):
        table.add_column(column)
    for state in session.files:
        if not state.conflict.is_text:
            table.add_row(state.path, "-", "-", state.conflict.kind, state.conflict.describe())
            continue
        for hunk in state.hunks:
            suggestions = state.suggestions.get(hunk.index, [])
            best = suggestions[0] if suggestions else None
            told = f"{best.source}{'' if best.safe else ' (check it)'}: {best.reason}" if best else "-"
            table.add_row(state.path, str(hunk.index + 1), str(hunk.start_line + 1), "text", told)
    Console().print(table)
    for note in notes:
        print(note)
