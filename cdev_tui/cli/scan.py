"""``cdev-tui scan``: the Security pane headless. Secrets (work trees, staged lines, a diff or the whole
history), hygiene, and with ``--deps`` vulnerable dependencies; exit 1 when anything is not accepted."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, add_format, print_json, start_dir, with_service
from cdev_tui.errors import CdevError, NotAGitRepoError
from cdev_tui.progress import cli_progress

HELP = "secret scan, hygiene checks and dependency vulnerabilities"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument(
        "paths", nargs="*", type=Path, help="folders to scan (default: the main worktree and every agent's)"
    )
    what = sub.add_mutually_exclusive_group()
    what.add_argument("--staged", action="store_true", help="only lines staged for the next commit")
    what.add_argument(
        "--diff", metavar="A..B", help="only lines the range adds (A...B: since their merge base; A: A..HEAD)"
    )
    what.add_argument(
        "--history", action="store_true", help="every commit reachable from any ref, each blob once"
    )
    sub.add_argument("--deps", action="store_true", help="also match lock files against OSV advisories")
    sub.add_argument(
        "--osv-db", type=Path, metavar="DIR", help="the OSV database folder (default: osv_db setting)"
    )
    sub.add_argument("--update-db", action="store_true", help="download osv.dev's PyPI and npm exports first")
    sub.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="accepted findings: a cdev-tui or detect-secrets baseline",
    )
    sub.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="a gitleaks config (default: .gitleaks.toml of the scanned root)",
    )
    sub.add_argument("--no-cache", action="store_true", help="scan everything again, ignoring the scan cache")
    add_format(sub, "sarif")


@dataclass
class _Outcome:
    """What the scans found, secrets and dependencies."""

    reports: list[Any] = field(default_factory=list)
    ruleset: Any = None
    deps: Any = None
    notices: list[str] = field(default_factory=list)


def _open_cache(root: Path, enabled: bool) -> tuple[Any, Any]:
    """``(cache, store)`` for scans under ``root``: the repository's store, or the user's scan cache outside
    git; ``(None, None)`` with ``--no-cache``."""
    if not enabled:
        return None, None
    import os

    from cdev_tui.security.cache import ScanCache
    from cdev_tui.security.walk import git_common_dir
    from cdev_tui.store import Store, default_db_path

    common = git_common_dir(root)
    if common is not None:
        path = default_db_path(common)
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        path = base / "cdev-tui" / "scan-cache.db"
    store = Store(path)
    return ScanCache(store), store


def _repo_of(path: Path) -> Path:
    from cdev_tui.gitops import find_worktree_root

    try:
        return find_worktree_root(path)
    except NotAGitRepoError:
        raise CdevError(f"{path}: not a git repository (--staged, --diff and --history read git)") from None


def _scan_git(args: argparse.Namespace, outcome: _Outcome) -> None:
    from cdev_tui.security.baseline import suppressions_for
    from cdev_tui.security.config import ruleset_for
    from cdev_tui.security.history import diff_changes, history_changes, scan_changes, staged_changes

    if len(args.paths) > 1:
        raise CdevError("--staged, --diff and --history take one repository")
    repo = _repo_of((args.paths[0] if args.paths else start_dir(args)).resolve())
    outcome.ruleset = ruleset_for(repo, args.config)
    suppressions = suppressions_for(repo, args.baseline)
    if args.history:
        job, changes = "Scanning history", history_changes(repo)
    elif args.diff:
        job, changes = f"Scanning {args.diff}", diff_changes(repo, args.diff)
    else:
        job, changes = "Scanning staged lines", staged_changes(repo)
    cache, store = _open_cache(repo, not args.no_cache)
    try:
        with cli_progress(job, unit="file versions" if args.history else "files") as progress:
            report = scan_changes(
                repo,
                changes,
                repo.name,
                ruleset=outcome.ruleset,
                cache=cache,
                suppressions=suppressions,
                progress=progress,
            )
        outcome.reports.append(report)
    finally:
        if store is not None:
            store.close()


def _scan_paths(args: argparse.Namespace, outcome: _Outcome) -> list[tuple[str, Path]]:
    from cdev_tui.security import scan_roots
    from cdev_tui.security.baseline import suppressions_for
    from cdev_tui.security.config import ruleset_for

    roots: list[tuple[str, Path]] = []
    for path in args.paths:
        if not path.is_dir():
            raise CdevError(f"{path}: no such directory")
        roots.append((path.name or str(path), path.resolve()))
    for label, root in roots:
        ruleset = ruleset_for(root, args.config)
        outcome.ruleset = outcome.ruleset or ruleset
        cache, store = _open_cache(root, not args.no_cache)
        try:
            with cli_progress(f"Scanning {label}", unit="files") as progress:
                report = scan_roots(
                    [(label, root)],
                    progress=progress,
                    ruleset=ruleset,
                    cache=cache,
                    suppressions=suppressions_for(root, args.baseline),
                    parallel=True,
                )
        finally:
            if store is not None:
                store.close()
        outcome.reports.append(report)
    return roots


def _scan_workspace(args: argparse.Namespace, outcome: _Outcome) -> list[tuple[str, Path]]:
    def work(service: Any) -> list[tuple[str, Path]]:
        snapshot = service.load()
        outcome.ruleset = service.security_setup(args.config, args.baseline)[0]
        with cli_progress("Scanning for secrets", unit="files") as progress:
            report = service.scan(
                snapshot,
                progress=progress,
                config=args.config,
                baseline=args.baseline,
                use_cache=not args.no_cache,
            )
        outcome.reports.append(report)
        if args.osv_db is None and service.config.osv_db is not None:
            args.osv_db = service.config.osv_db
        return [("main", snapshot.paths.repo)] + [
            (a.agent_id, a.facts.worktree) for a in snapshot.agents if a.facts.worktree is not None
        ]

    return with_service(args, work)


def _scan_deps(args: argparse.Namespace, roots: list[tuple[str, Path]], outcome: _Outcome) -> None:
    from cdev_tui.security.deps import default_db_dir, scan_dependencies, update_db

    db_dir = args.osv_db or default_db_dir()
    if args.update_db:
        try:
            with cli_progress("Updating the OSV database", unit="bytes") as progress:
                update_db(db_dir, progress=lambda ecosystem, size: progress(size, detail=ecosystem))
        except CdevError as exc:
            outcome.notices.append(f"OSV database not updated: {exc}")
    from cdev_tui.security.baseline import suppressions_for

    outcome.deps = scan_dependencies([(label, path) for label, path in roots if path.is_dir()], db_dir)
    if roots and roots[0][1].is_dir():
        outcome.deps = outcome.deps.accepting(suppressions_for(roots[0][1], args.baseline))
    outcome.notices.extend(outcome.deps.notices)


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    outcome = _Outcome()
    history_like = args.staged or args.diff or args.history
    if history_like:
        _scan_git(args, outcome)
        roots = [
            (outcome.reports[0].roots[0], Path(outcome.reports[0].root_paths[outcome.reports[0].roots[0]]))
        ]
    elif args.paths:
        roots = _scan_paths(args, outcome)
    else:
        roots = _scan_workspace(args, outcome)
    if args.deps:
        _scan_deps(args, roots, outcome)
    from cdev_tui.security.model import combine_reports

    report = combine_reports(outcome.reports)
    _print(args.format, report, outcome)
    vulnerable = outcome.deps.vulnerable if outcome.deps is not None else []
    return EXIT_FOUND if report.findings or vulnerable else EXIT_OK


def _finding_json(f: Any) -> dict[str, Any]:
    entry = {
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
    if f.commit:
        entry.update(commit=f.commit, author_date=f.author_date)
    return entry


def _deps_json(deps: Any) -> dict[str, Any]:
    return {
        "database": deps.db_dir,
        "database_present": deps.db_present,
        "dependencies": len(deps.dependencies),
        "unpinned": deps.unpinned,
        "vulnerable": [
            {
                "package": v.dependency.name,
                "version": v.dependency.version,
                "ecosystem": v.dependency.ecosystem,
                "root": v.dependency.root_label,
                "path": v.dependency.path,
                "line": v.dependency.line,
                "advisory": v.advisory_id,
                "aliases": list(v.aliases),
                "severity": v.severity,
                "fixed": v.fixed,
                "summary": v.summary,
                "url": v.url,
            }
            for v in deps.vulnerable
        ],
        "accepted": [
            {
                "package": v.dependency.name,
                "version": v.dependency.version,
                "advisory": v.advisory_id,
                "reason": why,
            }
            for v, why in deps.accepted
        ],
        "problems": [{"path": p, "reason": r} for p, r in deps.problems],
    }


def _print(fmt: str, report: Any, outcome: _Outcome) -> None:
    import sys

    from cdev_tui.security.sarif import findings_to_sarif

    for notice in outcome.notices:
        print(f"notice: {notice}", file=sys.stderr)
    if fmt == "sarif":
        print_json(findings_to_sarif(report, outcome.ruleset, outcome.deps))
        return
    if fmt == "json":
        document: dict[str, Any] = {
            "roots": report.roots,
            "rules": report.rules,
            "files_scanned": report.files_scanned,
            "files_from_cache": report.files_from_cache,
            "bytes_scanned": report.bytes_scanned,
            "seconds": round(report.seconds, 4),
            "findings": [_finding_json(f) for f in report.findings],
            "accepted": [{**_finding_json(f), "reason": why} for f, why in report.accepted],
            "hygiene": [
                {
                    "check": h.check,
                    "severity": h.severity,
                    "root": h.root_label,
                    "path": h.path,
                    "message": h.message,
                }
                for h in report.hygiene
            ],
            "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
        }
        if outcome.deps is not None:
            document["deps"] = _deps_json(outcome.deps)
        print_json(document)
        return
    _print_table(report, outcome)


def _print_table(report: Any, outcome: _Outcome) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    title = f"{len(report.findings)} secrets, {len(report.hygiene)} hygiene issues"
    if report.accepted:
        title += f" ({len(report.accepted)} accepted in a baseline)"
    table = Table(title=title)
    history = any(f.commit for f in report.findings)
    for column in ("Severity", "Rule", "Where", "File", "Secret (masked)", *(("Commit",) if history else ())):
        table.add_column(column)
    for f in report.findings:
        commit = (f"{f.commit[:10]} {f.author_date[:10]}",) if history else ()
        table.add_row(f.severity, f.description, f.root_label, f"{f.path}:{f.line}", f.masked, *commit)
    for h in report.hygiene:
        table.add_row(h.severity, h.check, h.root_label, h.path, h.message, *(("",) if history else ()))
    console.print(table)
    if outcome.deps is not None:
        deps = outcome.deps
        dep_table = Table(
            title=f"{len(deps.vulnerable)} vulnerable dependencies of {len(deps.dependencies)} pinned "
            f"({deps.unpinned} unpinned not checked)"
        )
        for column in ("Severity", "Package", "Version", "Advisory", "Fixed in", "Where"):
            dep_table.add_column(column)
        for v in deps.vulnerable:
            d = v.dependency
            dep_table.add_row(
                v.severity,
                d.name,
                d.version,
                v.advisory_id,
                v.fixed or "-",
                f"{d.root_label} {d.path}:{d.line}",
            )
        console.print(dep_table)
