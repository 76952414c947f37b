"""``cdev-tui scan``: the Security pane headless (exit 1 on findings)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, add_format, print_json, with_service
from cdev_tui.errors import CdevError

HELP = "secret scan and hygiene checks"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument("paths", nargs="*", type=Path, help="folders to scan (default: every worktree)")
    add_format(sub, "sarif")


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    from cdev_tui.security import findings_to_sarif, scan_roots

    if args.paths:
        for path in args.paths:
            if not path.is_dir():
                raise CdevError(f"{path}: no such directory")
        report = scan_roots([(p.name or str(p), p.resolve()) for p in args.paths])
    else:
        report = with_service(args, lambda service: service.scan(service.load()))
    if args.format == "sarif":
        print_json(findings_to_sarif(report))
    elif args.format == "json":
        print_json(
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
