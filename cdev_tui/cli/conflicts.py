"""``cdev-tui conflicts``: the Conflicts pane headless."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, add_format, print_json, with_service

HELP = "predicted conflicts and a merge order"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument("--check", action="store_true", help="exit 1 when any pair conflicts")
    add_format(sub)


def _predict(service: Any) -> Any:
    from cdev_tui.progress import cli_progress

    snapshot = service.load()
    with cli_progress("Predicting conflicts", unit="steps") as progress:
        return service.predict_conflicts(snapshot, progress=progress)


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    report = with_service(args, _predict)
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

        print_json(
            {
                "pairs": [pair_json(p) for p in report.pairs],
                "vs_target": [pair_json(p) for p in report.vs_target],
                "declared_overlaps": [
                    {"a": o.a, "b": o.b, "files": list(o.files)} for o in report.declared_overlaps
                ],
                "merge_order": report.merge_order,
                "merge_steps": [{"agent": step.agent_id, "why": step.reason} for step in report.merge_steps],
                "reused_pairs": report.reused_pairs,
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
