"""``cdev-tui spawn PLAN``: a branch and worktree per agent of a plan, with its workspace files."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, add_format, print_json, with_service
from cdev_tui.progress import cli_progress

HELP = "create the agent branches, worktrees and workspace files of a plan"
EXIT_CANCELLED = 130


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument(
        "plan", type=Path, metavar="PLAN", help="deployment plan (JSON or YAML, any cdev variant)"
    )
    sub.add_argument(
        "--base", default=None, help="branch, tag or commit to branch from (default: the target)"
    )
    sub.add_argument(
        "--copy-env",
        action="store_true",
        help="copy .env* files and .claude/.cursor/.vscode into each new worktree (copies secrets)",
    )
    add_format(sub)


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    from cdev_tui.plan import load_plan
    from cdev_tui.spawn import spawn_plan

    plan = load_plan(args.plan)  # a bad plan fails before the repository is opened

    def work(service: Any) -> Any:
        with (
            _ctrl_c_cancels() as cancelled,
            cli_progress("Spawning agents", len(plan.agents), unit="agents") as bar,
        ):
            started = service.timer()
            report = spawn_plan(
                plan,
                service.paths,
                base=args.base,
                copy_env=args.copy_env,
                progress=lambda step: _show_progress(bar, step),
                cancel=cancelled,
            )
            service.store.record_timing("spawn", service.timer() - started, f"{len(report.agents)} agents")
            for agent in report.agents:
                detail = agent.error or "; ".join(agent.notes)
                message = f"{agent.outcome} {agent.branch}" + (f": {detail}" if detail else "")
                service.store.record_event("spawn", message, agent.agent_id)
            return report

    report = with_service(args, work)
    for warning in report.warnings:
        print(f"cdev-tui: warning: {warning}", file=sys.stderr)
    if report.coordination_error:
        print(f"cdev-tui: error: {report.coordination_error}", file=sys.stderr)
    if args.format == "json":
        print_json(report_json(report))
    else:
        _print_table(report)
    if report.cancelled:
        return EXIT_CANCELLED
    return EXIT_OK if report.ok else EXIT_FOUND


def report_json(report: Any) -> dict[str, Any]:
    """The ``spawn --format json`` document."""
    return {
        "task_id": report.task_id,
        "base": report.base,
        "base_commit": report.base_commit,
        "agents": [
            {
                "id": a.agent_id,
                "branch": a.branch,
                "worktree": str(a.worktree),
                "outcome": str(a.outcome),
                "error": a.error,
                "notes": list(a.notes),
            }
            for a in report.agents
        ],
        "warnings": list(report.warnings),
        "coordination": [str(p) for p in report.coordination],
        "coordination_error": report.coordination_error,
        "cancelled": report.cancelled,
    }


def _show_progress(bar: Any, step: Any) -> None:
    """On a terminal, the progress bar (each agent's outcome written above it); else one line per agent."""
    if not bar.active:
        _print_progress(step)
        return
    print(f"cdev-tui: {step.agent_id}: {step.step}", file=sys.stderr)
    bar(step.done, step.total, f"{step.agent_id}: {step.step}")


def _print_progress(step: Any) -> None:
    eta = f", about {step.eta_s:.0f}s left" if step.done < step.total else ""
    print(
        f"cdev-tui: [{step.done}/{step.total}] {step.agent_id}: {step.step} ({step.elapsed_s:.1f}s{eta})",
        file=sys.stderr,
    )


@contextmanager
def _ctrl_c_cancels() -> Iterator[Any]:
    """The first Ctrl-C stops the run after the current agent; a second one interrupts at once."""
    pressed: list[bool] = []

    def handler(signum: int, frame: Any) -> None:
        pressed.append(True)
        signal.signal(signal.SIGINT, previous)
        print("cdev-tui: cancelling after the current agent (Ctrl-C again to stop now)", file=sys.stderr)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: leave Ctrl-C alone
        yield lambda: False
        return
    try:
        yield lambda: bool(pressed)
    finally:
        signal.signal(signal.SIGINT, previous)


def _print_table(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    styles = {
        "created": "green",
        "resumed": "cyan",
        "skipped": "dim",
        "failed": "bold red",
        "cancelled": "yellow",
    }
    table = Table(title=f"{report.task_id} from {report.base} ({report.base_commit[:10]})", expand=False)
    table.add_column("Agent")
    table.add_column("Outcome")
    table.add_column("Worktree (= branch)", overflow="fold")
    table.add_column("Note", ratio=1)
    for agent in report.agents:
        outcome = str(agent.outcome)
        table.add_row(
            agent.agent_id,
            Text(outcome, style=styles.get(outcome, "")),
            str(agent.worktree),
            Text(agent.error or "; ".join(agent.notes) or "-", style="red" if agent.error else "dim"),
        )
    console = Console()
    console.print(table)
    if report.coordination:
        console.print(
            Text(f"coordination status: {', '.join(str(p) for p in report.coordination)}", style="dim")
        )
