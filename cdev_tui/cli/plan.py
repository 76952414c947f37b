"""``cdev-tui plan``: decompose a task into a deployment plan; ``cdev-tui plan fetch ID``: cache a Linear issue.

Sources: ``--from FILE`` (markdown task list, text file, Linear issue JSON/YAML, or an existing task plan of any
cdev variant to check and normalise), ``--issue ID`` (``.linear-cache/<ID>.json|yaml``) or ``--text``.
``--template NAME`` plans the task along a workflow template (see :mod:`cdev_tui.planner.templates`);
``--template list`` lists the templates. A new plan's estimates are scaled by how long the workspace's finished
agents really took against theirs (``--no-calibrate`` keeps them as made).
Exit 1 when the plan has validation errors (nothing is written then), 2 on bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, add_format, print_json, start_dir
from cdev_tui.errors import CdevError

HELP = "plan a task: agents with exclusive file ownership, dependencies and merge order"
LIST_TEMPLATES = "list"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument(
        "action", nargs="?", choices=("fetch",), help="fetch: cache a Linear issue (needs LINEAR_API_KEY)"
    )
    sub.add_argument("issue_id", nargs="?", metavar="ID", help="the Linear issue to fetch")
    source = sub.add_mutually_exclusive_group()
    source.add_argument("--from", dest="from_file", type=Path, metavar="FILE", help="task file or plan file")
    source.add_argument("--issue", metavar="ID", help="a cached Linear issue (.linear-cache/<ID>.json|yaml)")
    source.add_argument("--text", metavar="TEXT", help="the task, typed: first line is the title")
    sub.add_argument(
        "--id", dest="task_id", metavar="TASK_ID", help="task id to use (default: from the source)"
    )
    sub.add_argument("--ai", action="store_true", help="ask an OpenAI-compatible model (OPENAI_API_KEY)")
    sub.add_argument(
        "--template",
        metavar="NAME",
        help="plan along a workflow template (.cdev/templates/NAME.toml or built-in); 'list' lists them",
    )
    sub.add_argument(
        "--no-calibrate",
        action="store_true",
        help="keep the estimates as made (default: scaled by how long finished agents really took)",
    )
    sub.add_argument("--model", help="model for --ai (default: $CDEV_TUI_LLM_MODEL or gpt-4o-mini)")
    sub.add_argument("--out", type=Path, metavar="PATH", help="write the plan JSON to PATH")
    sub.add_argument(
        "--write", action="store_true", help="write to shared/deployment-plans/<id>-deployment-plan.json"
    )
    add_format(sub)


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    if args.action == "fetch":
        return _fetch(args)
    if args.issue_id:
        raise CdevError(
            f"unexpected argument {args.issue_id!r} (did you mean: cdev-tui plan fetch {args.issue_id})"
        )
    from cdev_tui.gitops import repo_root
    from cdev_tui.planner import save_plan, validate_plan

    repo = repo_root(start_dir(args))
    if args.template == LIST_TEMPLATES:
        return _list_templates(args, repo)
    plan = _make_plan(args, repo)
    problems = validate_plan(plan, repo)
    errors = [p for p in problems if p.severity == "error"]
    written: Path | None = None
    if (args.out or args.write) and not errors:
        written = save_plan(plan, repo, args.out.resolve() if args.out else None)
    if args.format == "json":
        from cdev_tui.planner import plan_to_dict

        print_json({**plan_to_dict(plan), "problems": [_problem_json(p) for p in problems]})
    else:
        _print_table(plan, problems)
    if written:
        print(f"cdev-tui: wrote {written}", file=sys.stderr)
    elif errors and (args.out or args.write):
        print(f"cdev-tui: plan not written: {len(errors)} validation error(s)", file=sys.stderr)
    return EXIT_FOUND if errors else EXIT_OK


def _make_plan(args: argparse.Namespace, repo: Path) -> Any:
    from dataclasses import replace

    from cdev_tui import planner

    template = None
    if args.template is not None:
        if args.ai:
            raise CdevError("--template and --ai do not go together: a template plans without a model")
        template = planner.load_template(repo, args.template)  # a bad template fails before anything else
    if args.from_file is not None:
        existing = _existing_plan(args.from_file)
        if existing is not None:
            if args.ai or template is not None:
                option = "--ai" if args.ai else "--template"
                raise CdevError(f"{args.from_file}: is already a plan; {option} plans tasks, not plans")
            plan = planner.normalise(existing)
            return replace(plan, task_id=args.task_id) if args.task_id else plan
        task = planner.load_task_file(args.from_file, task_id=args.task_id)
    elif args.issue:
        task = planner.load_linear_task(repo, args.issue)
        if args.task_id:
            task = replace(task, task_id=args.task_id)
    elif args.text is not None:
        task = planner.task_from_text(args.text, task_id=args.task_id)
    else:
        raise CdevError("say what to plan: --from FILE, --issue ID or --text TEXT (or: plan fetch ID)")
    if template is not None:
        plan = planner.plan_from_template(template, task, repo)
    elif args.ai:
        plan = planner.ai_decompose(task, repo, model=args.model)
    else:
        plan = planner.decompose(task, repo)
    return plan if args.no_calibrate else _calibrated(plan, repo)


def _calibrated(plan: Any, repo: Path) -> Any:
    """``plan`` with its estimates scaled by the workspace's history; as it is when that cannot be read."""
    from cdev_tui.planner import calibrate_plan, repository_history

    try:
        history = repository_history(repo)
    except CdevError as exc:
        print(f"cdev-tui: estimates not calibrated: {exc}", file=sys.stderr)
        return plan
    return calibrate_plan(plan, history)[0]


def _list_templates(args: argparse.Namespace, repo: Path) -> int:
    from cdev_tui.planner import list_templates

    if args.from_file is not None or args.issue or args.text is not None or args.out or args.write or args.ai:
        raise CdevError("--template list lists the templates: give it no task, --out, --write or --ai")
    templates = list_templates(repo)
    if args.format == "json":
        print_json(
            {
                "templates": [
                    {
                        "name": t.name,
                        "description": t.description,
                        "source": t.source,
                        "path": str(t.path),
                        "overridesBuiltin": t.overrides_builtin,
                    }
                    for t in templates
                ]
            }
        )
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Plan templates (cdev-tui plan --template NAME --text ...)", expand=False)
    table.add_column("Name", no_wrap=True)
    table.add_column("What it plans", overflow="fold")
    table.add_column("From", overflow="fold")
    for t in templates:
        source = f"{t.source} (replaces the built-in one)" if t.overrides_builtin else t.source
        table.add_row(t.name, t.description or "-", source)
    Console().print(table)
    return EXIT_OK


def _existing_plan(path: Path) -> Any:
    """The plan in ``path`` when it is a task plan (any cdev variant), else None."""
    if path.suffix.lower() not in (".json", ".yaml", ".yml"):
        return None
    from cdev_tui.plan import load_plan
    from cdev_tui.structured import load_structured

    data = load_structured(path)
    if isinstance(data, Mapping) and ("parallelAgents" in data or "integration_order" in data):
        return load_plan(path)
    return None


def _problem_json(problem: Any) -> dict[str, Any]:
    return {"severity": problem.severity, "agent": problem.agent_id, "message": problem.message}


def _print_table(plan: Any, problems: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from cdev_tui.plan import critical_path

    console = Console()
    table = Table(title=f"{plan.task_id}: {plan.task_title}", expand=False)
    table.add_column("Agent", overflow="fold", ratio=1)
    table.add_column("", no_wrap=True)
    table.add_column("File", overflow="fold", ratio=3)
    table.add_column("Depends on", overflow="fold", ratio=1)
    table.add_column("Min", no_wrap=True, justify="right")
    table.add_column("Now", no_wrap=True)
    for agent in plan.agents:
        files = [("new", p) for p in agent.files_to_create] + [("edit", p) for p in agent.files_to_modify]
        for row, (kind, path) in enumerate(files or [("", "-")]):
            first = row == 0
            table.add_row(
                agent.agent_id if first else "",
                kind,
                path,
                (", ".join(agent.dependencies) or "-") if first else "",
                ("-" if agent.estimated_minutes is None else str(agent.estimated_minutes)) if first else "",
                ("yes" if agent.can_start_immediately else "no") if first else "",
                end_section=row == len(files) - 1,
            )
    console.print(table)
    chain, minutes = critical_path(plan.agents)
    console.print(f"Merge order: {' → '.join(plan.merge_order) or '-'}", highlight=False)
    console.print(f"Critical path: {' → '.join(chain) or '-'} ({minutes} min)", highlight=False)
    from cdev_tui.planner import made_notes

    for note in made_notes(plan):
        console.print(note[0].upper() + note[1:], highlight=False, markup=False)
    if "estimateCalibration" in plan.extras:
        console.print("(--no-calibrate keeps the estimates as made)", style="dim", highlight=False)
    for problem in problems:
        style = "red" if problem.severity == "error" else "yellow"
        console.print(f"[{style}]{problem.severity}[/]: {problem.message}", highlight=False)


def _fetch(args: argparse.Namespace) -> int:
    from cdev_tui.gitops import repo_root
    from cdev_tui.planner import fetch_linear_issue, task_from_issue

    if not args.issue_id:
        raise CdevError("plan fetch needs an issue id, e.g. cdev-tui plan fetch AOJ-63")
    if (
        args.from_file
        or args.issue
        or args.text is not None
        or args.ai
        or args.out
        or args.write
        or args.template
    ):
        raise CdevError("plan fetch takes only an issue id (and --repo, --format)")
    repo = repo_root(start_dir(args))
    issue = fetch_linear_issue(args.issue_id, api_key=os.environ.get("LINEAR_API_KEY"), repo=repo)
    cache = repo / ".linear-cache" / f"{issue['identifier']}.json"
    task = task_from_issue(issue, str(cache))
    if args.format == "json":
        print_json({"issue": issue, "cache": str(cache), "requirements": task.requirements})
        return EXIT_OK
    state = (issue.get("state") or {}).get("name") if isinstance(issue.get("state"), Mapping) else None
    assignee = issue.get("assignee") if isinstance(issue.get("assignee"), Mapping) else None
    print(f"{issue['identifier']}: {task.title}")
    print(f"  state: {state or '-'}   priority: {issue.get('priorityLabel') or issue.get('priority') or '-'}")
    print(f"  assignee: {(assignee or {}).get('name') or 'unassigned'}")
    print(f"  requirements: {len(task.requirements)}")
    for number, requirement in enumerate(task.requirements, 1):
        print(f"    {number}. {requirement}")
    print(f"  cached in {cache}")
    print(f"  next: cdev-tui plan --issue {issue['identifier']}")
    return EXIT_OK
