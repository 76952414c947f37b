"""The command line: ``cdev-tui`` opens the app; each subcommand is the headless twin of a pane.

Exit codes: 0 success, 1 the check found something, 2 bad input or environment (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from cdev_tui import __version__
from cdev_tui.errors import CdevError

EXIT_OK, EXIT_FOUND, EXIT_BAD_INPUT = 0, 1, 2
T = TypeVar("T")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--repo", type=Path, default=None, help="repository to open (default: the current one)"
    )
    common.add_argument(
        "--db", type=Path, default=None, help="store file (default: <git common dir>/cdev/cdev.db)"
    )

    def formats(sub: argparse.ArgumentParser, *extra: str) -> None:
        sub.add_argument("--format", choices=("table", "json", *extra), default="table", help="output format")

    parser = argparse.ArgumentParser(
        prog="cdev-tui",
        parents=[common],
        description="A terminal dashboard for parallel AI coding agents in git worktrees.",
    )
    parser.add_argument("--version", action="version", version=f"cdev-tui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    status = commands.add_parser(
        "status", parents=[common], help="agents with status, progress and violations"
    )
    formats(status)

    demo = commands.add_parser("demo", parents=[common], help="build the demo workspace and open it")
    demo.add_argument(
        "dir", nargs="?", type=Path, default=None, help="where to build it (default: user cache)"
    )
    demo.add_argument("--no-tui", action="store_true", help="build only, print where it is")
    demo.add_argument("--fresh", action="store_true", help="rebuild even if a demo is already there")
    formats(demo)

    scan = commands.add_parser("scan", parents=[common], help="secret scan and hygiene checks")
    scan.add_argument("paths", nargs="*", type=Path, help="folders to scan (default: every worktree)")
    formats(scan, "sarif")

    conflicts = commands.add_parser(
        "conflicts", parents=[common], help="predicted conflicts and a merge order"
    )
    conflicts.add_argument("--check", action="store_true", help="exit 1 when any pair conflicts")
    formats(conflicts)

    metrics = commands.add_parser("metrics", parents=[common], help="metrics from the store")
    formats(metrics, "prometheus")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cdev-tui`` console script."""
    args = build_parser().parse_args(argv)
    try:
        handler = {
            None: _run_tui,
            "status": _status,
            "demo": _demo,
            "scan": _scan,
            "conflicts": _conflicts,
            "metrics": _metrics,
        }[args.command]
        return handler(args)
    except CdevError as exc:
        print(f"cdev-tui: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


def _start(args: argparse.Namespace) -> Path:
    start = (args.repo or Path.cwd()).expanduser()
    if not start.exists():
        raise CdevError(f"{start}: no such directory")
    return start.resolve()


def _with_service(args: argparse.Namespace, work: Callable[[Any], T]) -> T:
    """Run ``work(service)`` on the repository the arguments name, closing the store afterwards."""
    from cdev_tui.service import open_service

    service = open_service(_start(args), db=args.db)
    try:
        return work(service)
    finally:
        service.close()


def _run_tui(args: argparse.Namespace) -> int:
    from cdev_tui.app import make_app

    make_app(_start(args), db=args.db).run()
    return EXIT_OK


# -- status ------------------------------------------------------------------------------------------


def _status(args: argparse.Namespace) -> int:
    snapshot = _with_service(args, lambda service: service.load())
    for notice in snapshot.notices:
        print(f"cdev-tui: {notice}", file=sys.stderr)
    if args.format == "json":
        _print_json(status_json(snapshot))
    else:
        _print_status_table(snapshot)
    return EXIT_OK


def status_json(snapshot: Any) -> dict[str, Any]:
    """The ``status --format json`` document."""
    paths = snapshot.paths
    agents = []
    for agent in snapshot.agents:
        facts = agent.facts
        state = facts.git
        done, total = agent.progress
        agents.append(
            {
                "id": agent.agent_id,
                "task": facts.task_id or None,
                "role": agent.spec.role or None,
                "status": str(agent.status),
                "progress": {"done": done, "total": total, "fraction": round(agent.fraction, 4)},
                "remaining": list(facts.checklist.remaining) if facts.checklist else [],
                "branch": facts.branch,
                "worktree": str(facts.worktree) if facts.worktree else None,
                "dependencies": list(agent.spec.dependencies),
                "blocked_by": list(agent.blocked_by),
                "violations": [
                    {"path": v.path, "owner": v.owner, "uncommitted": v.uncommitted} for v in agent.violations
                ],
                "coordination_files_committed": list(agent.bookkeeping),
                "ahead": state.ahead if state else None,
                "behind": state.behind if state else None,
                "uncommitted": list(state.dirty) if state else [],
                "last_commit": (
                    {
                        "sha": state.last_commit.sha,
                        "subject": state.last_commit.subject,
                        "when": state.last_commit.when.isoformat(),
                    }
                    if state and state.last_commit
                    else None
                ),
                "estimated_minutes": agent.spec.estimated_minutes,
                "plain": facts.plain,
                "problems": list(facts.problems),
            }
        )
    return {
        "repo": str(paths.repo),
        "target": paths.target,
        "worktrees_root": str(paths.worktrees_root),
        "plans": [
            {"task_id": p.task_id, "title": p.task_title, "path": str(p.path)} for p in snapshot.task_plans
        ],
        "agents": agents,
        "notices": list(snapshot.notices),
    }


def _print_status_table(snapshot: Any) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from cdev_tui.widgets.cells import progress_bar, status_text

    table = Table(title=f"{snapshot.paths.repo.name} → {snapshot.paths.target}", expand=False)
    for column in ("Agent", "Status", "Progress", "Branch", "Depends on", "Violations"):
        table.add_column(column)
    for agent in snapshot.agents:
        done, total = agent.progress
        blocked = f"on {', '.join(agent.blocked_by)}" if agent.blocked_by else ""
        violations = Text(
            ", ".join(f"{v.path} ({v.owner or 'nobody'})" for v in agent.violations) or "-",
            style="red" if agent.violations else "dim",
        )
        table.add_row(
            agent.agent_id,
            status_text(agent.status, blocked),
            progress_bar(agent.fraction, done, total),
            agent.facts.branch or "-",
            ", ".join(agent.spec.dependencies) or "-",
            violations,
        )
    Console().print(table)


# -- demo --------------------------------------------------------------------------------------------


def default_demo_dir() -> Path:
    """``$XDG_CACHE_HOME/cdev-tui/demo`` (``~/.cache`` by default)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cdev-tui" / "demo"


def _demo(args: argparse.Namespace) -> int:
    import shutil

    from cdev_tui.demo import build_demo, demo_is_built

    dest = (args.dir or default_demo_dir()).expanduser().resolve()
    repo = dest / "shopfront"
    if args.fresh and demo_is_built(dest):
        shutil.rmtree(repo)
        shutil.rmtree(dest / "shopfront-work-trees", ignore_errors=True)
    if not demo_is_built(dest):
        print(f"cdev-tui: building the demo workspace in {dest}", file=sys.stderr)
        build_demo(dest)
    if args.no_tui:
        if args.format == "json":
            _print_json({"repo": str(repo), "worktrees_root": str(dest / "shopfront-work-trees")})
        else:
            print(repo)
        return EXIT_OK
    from cdev_tui.app import make_app

    make_app(repo, db=args.db).run()
    return EXIT_OK


# -- scan, conflicts, metrics -------------------------------------------------------------------------


def _scan(args: argparse.Namespace) -> int:
    from cdev_tui.security import findings_to_sarif, scan_roots

    if args.paths:
        for path in args.paths:
            if not path.is_dir():
                raise CdevError(f"{path}: no such directory")
        report = scan_roots([(p.name or str(p), p.resolve()) for p in args.paths])
    else:
        report = _with_service(args, lambda service: service.scan(service.load()))
    if args.format == "sarif":
        _print_json(findings_to_sarif(report))
    elif args.format == "json":
        _print_json(
            {
                "roots": report.roots,
                "files_scanned": report.files_scanned,
                "bytes_scanned": report.bytes_scanned,
                "seconds": round(report.seconds, 4),
                "findings": [
                    {
                        "rule": f.rule_id,
                        "description": f.description,
                        "severity": f.severity,
                        "root": f.root_label,
                        "path": f.path,
                        "line": f.line,
                        "column": f.column,
                        "masked": f.masked,
                        "fingerprint": f.fingerprint,
                    }
                    for f in report.findings
                ],
                "hygiene": [
                    {"check": h.check, "severity": h.severity, "path": h.path, "message": h.message}
                    for h in report.hygiene
                ],
                "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
            }
        )
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{len(report.findings)} secrets, {len(report.hygiene)} hygiene issues")
        for column in ("Severity", "Rule", "Where", "File", "Secret (masked)"):
            table.add_column(column)
        for f in report.findings:
            table.add_row(f.severity, f.description, f.root_label, f"{f.path}:{f.line}", f.masked)
        for h in report.hygiene:
            table.add_row(h.severity, h.check, "", h.path, h.message)
        Console().print(table)
    return EXIT_FOUND if report.findings else EXIT_OK


def _conflicts(args: argparse.Namespace) -> int:
    report = _with_service(args, lambda service: service.predict_conflicts(service.load()))
    pairs = [*report.pairs, *report.vs_target]
    if args.format == "json":

        def pair_json(p: Any) -> dict[str, Any]:
            return {
                "a": p.a,
                "b": p.b,
                "conflicts": p.conflicts,
                "uncommitted_only": p.uncommitted_only,
                "conflicted_files": list(p.conflicted_files),
                "overlapping_files": list(p.overlapping_files),
            }

        _print_json(
            {
                "pairs": [pair_json(p) for p in report.pairs],
                "vs_target": [pair_json(p) for p in report.vs_target],
                "declared_overlaps": [
                    {"a": o.a, "b": o.b, "files": list(o.files)} for o in report.declared_overlaps
                ],
                "merge_order": report.merge_order,
                "errors": report.errors,
                "git_calls": report.git_calls,
                "seconds": round(report.seconds, 4),
            }
        )
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="Merge order: " + (" → ".join(report.merge_order) or "-"))
        for column in ("Between", "Verdict", "Conflicting files"):
            table.add_column(column)
        for p in pairs:
            verdict = (
                "conflict (uncommitted work)"
                if p.uncommitted_only
                else "conflict"
                if p.conflicts
                else "clean"
            )
            table.add_row(f"{p.a} × {p.b}", verdict, ", ".join(p.conflicted_files) or "-")
        Console().print(table)
        for error in report.errors:
            print(f"cdev-tui: {error}", file=sys.stderr)
    return EXIT_FOUND if args.check and any(p.conflicts for p in pairs) else EXIT_OK


def _metrics(args: argparse.Namespace) -> int:
    metrics = _with_service(args, lambda service: service.metrics(service.load()))
    if args.format == "json":
        from dataclasses import asdict

        _print_json({**asdict(metrics), "speedup": metrics.speedup})
    elif args.format == "prometheus":
        lines = [
            "# HELP cdev_agents Agents by status.",
            "# TYPE cdev_agents gauge",
            *(f'cdev_agents{{status="{s}"}} {n}' for s, n in metrics.by_status.items()),
            "# HELP cdev_progress_ratio Mean checklist completion over all agents.",
            "# TYPE cdev_progress_ratio gauge",
            f"cdev_progress_ratio {metrics.overall_progress:.4f}",
            "# HELP cdev_ownership_violations Changed files not owned by the agent that changed them.",
            "# TYPE cdev_ownership_violations gauge",
            f"cdev_ownership_violations {metrics.violations}",
            "# HELP cdev_operation_seconds Median duration of recorded operations.",
            "# TYPE cdev_operation_seconds gauge",
            *(f'cdev_operation_seconds{{op="{t.op}"}} {t.median_seconds:.6f}' for t in metrics.timings),
        ]
        print("\n".join(lines))
    else:
        print(
            f"agents: {metrics.agents_total} ({', '.join(f'{n} {s}' for s, n in metrics.by_status.items())})"
        )
        print(f"progress: {metrics.overall_progress:.0%} ({metrics.items_done}/{metrics.items_total} items)")
        print(
            f"estimate: {metrics.sequential_minutes} min sequential, {metrics.critical_minutes} min critical path"
        )
        print(f"critical path: {' → '.join(metrics.critical_path) or '-'}")
        print(f"ownership violations: {metrics.violations}")
        for t in metrics.timings:
            print(f"timing {t.op}: {t.count} runs, median {t.median_seconds * 1000:.0f} ms")
    return EXIT_OK


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
