"""``cdev-tui integrate``: pre-flight, merge the agents into a new integration branch, and (only with
``--finish``) merge that branch into the target."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from cdev_tui.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FOUND,
    EXIT_OK,
    add_format,
    ask_on_terminal,
    print_json,
    with_service,
)
from cdev_tui.errors import CdevError
from cdev_tui.progress import cli_progress

HELP = "merge agent branches into a new integration branch (the target changes only with --finish)"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument(
        "--plan", type=Path, default=None, help="deployment plan whose agents and merge order to use"
    )
    sub.add_argument(
        "--agents", default=None, help="comma-separated agent ids (default: every agent not merged yet)"
    )
    sub.add_argument(
        "--test-cmd",
        default=None,
        help="shell command run after each merge (default: test_command in config)",
    )
    sub.add_argument(
        "--test-timeout", default="600", metavar="S", help="seconds before a test run is killed (default 600)"
    )
    sub.add_argument("--allow-violations", action="store_true", help="integrate despite ownership violations")
    sub.add_argument("--allow-incomplete", action="store_true", help="integrate agents that are not complete")
    sub.add_argument(
        "--override-security-gate",
        action="store_true",
        help="integrate despite new secrets or vulnerable dependencies the security gate refuses "
        "(recorded as an event)",
    )
    sub.add_argument(
        "--resolve",
        metavar="SOURCES",
        default=None,
        help="resolve conflicts with the safe suggestions of these sources (trivial, structural, learned) "
        "instead of stopping; the run still stops where one is left",
    )
    sub.add_argument("--yes", action="store_true", help="answer the confirmation (never implies --finish)")
    sub.add_argument(
        "--finish",
        action="store_true",
        help="after a fully successful run, merge the integration branch into the target",
    )
    add_format(sub)


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise CdevError(f"--test-timeout: expected a positive number of seconds, got {text!r}")
    return value


def _agent_ids(text: str) -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise CdevError(f"--agents: expected comma-separated agent ids, got {text!r}")
    return ids


def _confirm(question: str) -> bool:
    """Ask on a terminal; refuse (bad input) when nobody can answer."""
    return ask_on_terminal(
        question, "refusing to integrate without confirmation: stdin is not a terminal; pass --yes"
    )


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    from cdev_tui.plan import load_plan

    timeout = _timeout(args.test_timeout)
    agents = _agent_ids(args.agents) if args.agents is not None else None
    if args.test_cmd is not None and not args.test_cmd.strip():
        raise CdevError("--test-cmd: the command is empty")
    if args.resolve is not None:
        from cdev_tui.cli.resolve import parse_sources

        parse_sources(args.resolve, "--resolve")
    plan = load_plan(args.plan.expanduser().resolve()) if args.plan is not None else None
    return with_service(args, lambda service: _run(args, service, plan, agents, timeout))


def _run(args: argparse.Namespace, service: Any, plan: Any, agents: list[str] | None, timeout: float) -> int:
    from cdev_tui.integrate import integration_order, preflight

    snapshot = service.load()
    for notice in snapshot.notices:
        print(f"cdev-tui: {notice}", file=sys.stderr)
    paths = snapshot.paths
    problems = preflight(
        snapshot,
        agents=agents,
        allow_violations=args.allow_violations,
        allow_incomplete=args.allow_incomplete,
        plan=plan,
        gate=service.security_gate(),
    )
    overridden = [p for p in problems if p.kind == "security"] if args.override_security_gate else []
    problems = [p for p in problems if p not in overridden]
    if problems:
        service.record_refused(problems)
        if args.format == "json":
            print_json(
                {
                    **_empty_json(paths),
                    "problems": [
                        {"kind": p.kind, "agent": p.agent, "message": p.message, "files": list(p.files)}
                        for p in problems
                    ],
                }
            )
        print(f"cdev-tui: not ready to integrate into {paths.target}:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem.message}", file=sys.stderr)
        print("nothing was changed", file=sys.stderr)
        return EXIT_FOUND
    order = integration_order(snapshot, agents, plan)
    agents_text = f"{len(order)} agent{'s' if len(order) != 1 else ''} ({' → '.join(order)})"
    question = f"Merge {agents_text} into a new integration branch from {paths.target}?"
    if not args.yes and not _confirm(question):
        print("cdev-tui: integration cancelled; nothing was changed", file=sys.stderr)
        return EXIT_FOUND

    if overridden:
        service.record_gate_override([p.message for p in overridden], "integrate")
        for problem in overridden:
            print(f"cdev-tui: security gate overridden: {problem.message}", file=sys.stderr)

    def on_output(step: int, line: str) -> None:
        print(f"[{order[step]}] {line}", file=sys.stderr, flush=True)

    def on_step(event: Any) -> None:
        where = f"({event.index + 1}/{event.total})"
        if event.phase == "done":
            step = event.result
            verdict = "merged" if step.merged else "conflict" if step.conflicted_files else "not merged"
            if step.resolved_files:
                verdict += f" (conflicts resolved in {', '.join(step.resolved_files)})"
            if step.test_passed is not None:
                verdict += ", tests passed" if step.test_passed else ", tests FAILED"
            print(f"cdev-tui: {event.agent} {where}: {verdict}", file=sys.stderr, flush=True)
        else:
            print(f"cdev-tui: {event.phase} {event.agent} {where}", file=sys.stderr, flush=True)

    resolver, outcome = _resolver(args, service)
    with cli_progress("Integrating", len(order), unit="agents") as progress:
        result = service.integrate(  # timed, and its outcomes kept for the metrics
            snapshot,
            order=order,
            test_command=args.test_cmd or service.config.test_command,
            test_timeout=timeout,
            on_output=on_output,
            on_step=on_step,
            plan=plan,
            resolver=resolver,
            progress=progress,
        )
    if outcome is not None and result.conflict is not None and outcome.left:
        print(
            f"cdev-tui: {result.conflict.agent}: {outcome.resolved} hunks had a safe suggestion, "
            f"{outcome.left} need a person: resolve them in the merge editor (i in the app)",
            file=sys.stderr,
        )
    for notice in result.notices:
        print(f"cdev-tui: {notice}", file=sys.stderr)
    target_commit = result.target_commit
    finished = finish_failed = False
    finish_note: str | None = None
    if args.finish and not result.ok:
        finish_note = f"not finished: the integration stopped, so {paths.target} is unchanged"
    elif args.finish and (args.yes or _confirm(f"Merge {result.branch} into {paths.target} now?")):
        try:
            target_commit = service.finish_integration(result.branch)
            finished = True
        except CdevError as exc:
            finish_note, finish_failed = str(exc), True
    elif args.finish:
        finish_note = f"not finished: declined, so {paths.target} is unchanged"
    if args.format == "json":
        print_json(_result_json(result, finished, target_commit, finish_note))
    else:
        _print_table(result, finished, target_commit)
    if finish_note:
        print(f"cdev-tui: {finish_note}", file=sys.stderr)
    if not result.ok:
        return EXIT_FOUND
    return EXIT_BAD_INPUT if finish_failed else EXIT_OK


def _resolver(args: argparse.Namespace, service: Any) -> tuple[Any, Any]:
    """The unattended resolver that ``--resolve`` asks for, and where it reports; (None, None) without it."""
    if args.resolve is None:
        return None, None
    from cdev_tui.cli.resolve import parse_sources
    from cdev_tui.conflicts.learned import LearnedStore
    from cdev_tui.integrate.resolution import AutoOutcome, auto_resolver

    outcome = AutoOutcome()
    return auto_resolver(
        parse_sources(args.resolve, "--resolve"), LearnedStore(service.store), outcome
    ), outcome


def _empty_json(paths: Any) -> dict[str, Any]:
    from cdev_tui.gitops import git

    target_commit = (
        git(paths.repo, "rev-parse", f"refs/heads/{paths.target}", ok_codes=(0, 128)).stdout or None
    )
    return {
        "integration_branch": None,
        "steps": [],
        "ok": False,
        "report": None,
        "finished": False,
        "target_commit": target_commit,
    }


def _result_json(result: Any, finished: bool, target_commit: str, finish_error: str | None) -> dict[str, Any]:
    return {
        "integration_branch": result.branch,
        "head": result.head,
        "order": list(result.order),
        "steps": [
            {
                "agent": s.agent,
                "merged": s.merged,
                "commit": s.commit,
                "conflicted_files": list(s.conflicted_files),
                "resolved_files": list(s.resolved_files),
                "test_passed": s.test_passed,
                "seconds": round(s.seconds, 3),
            }
            for s in result.steps
        ],
        "not_reached": list(result.pending),
        "ok": result.ok,
        "stopped_reason": result.stopped_reason,
        "report": {"markdown": str(result.report_md), "yaml": str(result.report_yaml)},
        "finished": finished,
        "finish_error": finish_error,
        "target": result.target,
        "target_commit": target_commit,
    }


def _print_table(result: Any, finished: bool, target_commit: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{result.branch} from {result.target} {result.target_commit[:12]}")
    for column in ("Step", "Agent", "Merge", "Tests", "Time", "Notes"):
        table.add_column(column)
    for number, step in enumerate(result.steps, 1):
        merge = "merged" if step.merged else "conflict" if step.conflicted_files else "not merged"
        tests = "-" if step.test_passed is None else "passed" if step.test_passed else "FAILED"
        notes = ", ".join(step.conflicted_files) or step.message or ""
        table.add_row(str(number), step.agent, merge, tests, f"{step.seconds:.1f} s", notes)
    for agent in result.pending:
        table.add_row("-", agent, "not reached", "-", "-", "")
    console = Console()
    console.print(table)
    console.print(f"report: {result.report_md}", highlight=False)
    if result.stopped_reason:
        console.print(f"stopped: {result.stopped_reason}", highlight=False)
    if finished:
        console.print(f"{result.target} is now at {target_commit[:12]} (finished)", highlight=False)
    elif result.ok:
        console.print(
            f"{result.target} unchanged; inspect with `git log {result.target}..{result.branch}`, "
            "merge with --finish",
            highlight=False,
        )
