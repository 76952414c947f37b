"""The integration report (cdev's Markdown layout plus a YAML sidecar) and ``integration-status.yaml``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cdev_tui.gitops import git
from cdev_tui.integrate.gitutil import ANY_CODE
from cdev_tui.integrate.results import STATUS_PATH, IntegrationResult, StepResult
from cdev_tui.plan import Plan
from cdev_tui.workspace import WorkspaceSnapshot
from cdev_tui.workspace_files import atomic_write_text, dump_yaml, iso_utc


def _relative(path: Path | None, repo: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.relative_to(repo).as_posix()
    except ValueError:
        return str(path)


def tests_quality(steps: Sequence[StepResult]) -> bool | None:
    ran = [s.test_passed for s in steps if s.test_passed is not None]
    return None if not ran else all(ran)


def _step_data(step: StepResult) -> dict[str, Any]:
    return {
        "agent": step.agent,
        "branch": step.branch,
        "source_commit": step.source_commit,
        "merged": step.merged,
        "commit": step.commit,
        "files_changed": list(step.files_changed),
        "conflicted_files": list(step.conflicted_files),
        "resolved_files": list(step.resolved_files),
        "test_passed": step.test_passed,
        "seconds": round(step.seconds, 3),
        "message": step.message or None,
        "test_output_tail": step.test_output_tail.split("\n") if step.test_output_tail else [],
    }


def _is_tracked(repo: Path, rel: Path) -> bool:
    return git(repo, "ls-files", "--error-unmatch", "--", rel.as_posix(), ok_codes=ANY_CODE).code == 0


def write_reports(
    snapshot: WorkspaceSnapshot,
    result: IntegrationResult,
    *,
    when: datetime,
    test_command: str | None,
    plan: Plan | None,
) -> IntegrationResult:
    repo = snapshot.paths.repo
    date = iso_utc(when)
    report_rel = _relative(result.report_md, repo)
    plan_rel = _relative(plan.path, repo) if plan is not None else None
    cdev_keys = {
        "agents_integrated": result.agents_integrated,
        "branch": result.branch,
        "date": date,
        "deployment_plan": plan_rel,
        "quality_results": {"tests": tests_quality(result.steps)},
        "report_path": report_rel,
    }
    ours = {
        "head_commit": result.head,
        "integration_order": list(result.order),
        "ok": result.ok,
        "steps": [_step_data(s) for s in result.steps],
        "not_reached": list(result.pending),
        "stopped_reason": result.stopped_reason,
        "target": result.target,
        "target_commit": result.target_commit,
        "test_command": test_command,
    }
    # cdev's sidecar was yaml.dump with sorted keys.
    atomic_write_text(result.report_yaml, dump_yaml(dict(sorted({**cdev_keys, **ours}.items()))))
    atomic_write_text(
        result.report_md, render_markdown(result, date=date, plan=plan_rel, test_command=test_command)
    )
    notices = list(result.notices)
    status_path: Path | None = repo / STATUS_PATH
    if _is_tracked(repo, STATUS_PATH):
        notices.append(f"{repo / STATUS_PATH} is tracked by git; left unchanged (the report has the result)")
        status_path = None
    else:
        status = {
            "integrated_at": date,
            "integration_branch": result.branch,
            "integration_complete": result.ok,
            "report": report_rel,
            "agents_integrated": result.agents_integrated,
            "stopped_reason": result.stopped_reason,
        }
        atomic_write_text(repo / STATUS_PATH, dump_yaml(status))
    return replace(result, status_path=status_path, notices=tuple(notices))


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}\n{text}\n{ticks}"


def _mark(value: bool | None) -> str:
    return "– not run" if value is None else "✅ Passed" if value else "❌ Failed"


def render_markdown(
    result: IntegrationResult, *, date: str, plan: str | None, test_command: str | None
) -> str:
    """The integration report in cdev's section layout, with the real per-step results."""
    merged = result.agents_integrated
    headline = (
        f"✅ all {len(result.order)} agents merged" + (", tests passed" if test_command else "")
        if result.ok
        else f"❌ stopped: {result.stopped_reason}"
    )
    lines = [
        "# Integration Report",
        "",
        f"**Date**: {date}",
        f"**Branch**: {result.branch}",
        f"**Deployment Plan**: {plan or '-'}",
        f"**Target**: {result.target} at {result.target_commit[:12]} (not changed by this run)",
        f"**Result**: {headline}",
        "",
        "## Integration Summary",
        "",
        f"- **Agents Integrated**: {len(merged)} of {len(result.order)}",
        f"- **Integration Order**: {' → '.join(result.order)}",
        f"- **Tests**: {_mark(tests_quality(result.steps))}"
        + (f" (`{test_command}`)" if test_command else ""),
        "- **Method**: `git merge --no-ff` of each agent branch into the integration branch, in a temporary "
        "worktree; tests after each merge",
        "",
        "## Agent Integration Details",
        "",
    ]
    for number, step in enumerate(result.steps, 1):
        if step.merged:
            status = "✅ Integrated" + (f" ({step.message})" if step.message else "")
        elif step.conflicted_files:
            status = "❌ Merge conflict (merge aborted)"
        else:
            status = f"❌ Not merged: {step.message}"
        lines += [
            f"### {step.agent}",
            f"- Step: {number} of {len(result.order)}",
            f"- Status: {status}",
            f"- Branch: {step.branch} at {step.source_commit[:12]}",
        ]
        if step.commit:
            lines.append(f"- Merge commit: {step.commit[:12]}")
        if step.files_changed:
            lines.append(f"- Files: {', '.join(step.files_changed)}")
        if step.conflicted_files:
            lines.append(f"- Conflicted files: {', '.join(step.conflicted_files)}")
        if step.resolved_files:
            lines.append(f"- Conflicts resolved in: {', '.join(step.resolved_files)}")
        if step.merged:
            lines.append(f"- Tests: {_mark(step.test_passed)}")
        lines.append(f"- Time: {step.seconds:.1f} s")
        if step.test_output_tail and step.test_passed is not True:
            lines += ["", "Test output (last lines):", "", _fence(step.test_output_tail)]
        lines.append("")
    for agent in result.pending:
        lines += [f"### {agent}", "- Status: ⏸ Not reached", ""]
    tests_ok = tests_quality(result.steps)
    lines += [
        "## Quality Gates",
        "",
        f"- [{'x' if len(merged) == len(result.order) else ' '}] Every agent branch merged",
        f"- [{'x' if tests_ok else ' '}] Tests pass after every merge"
        + ("" if test_command else " (no test command)"),
        "",
        "## Next Steps",
        "",
    ]
    if result.ok:
        lines += [
            f"1. Inspect the result: `git log --oneline {result.target}..{result.branch}`",
            f"2. Merge it into {result.target}: `cdev-tui integrate --finish` (runs the integration again and "
            f"finishes it), or `git merge --ff-only {result.branch}` with {result.target} checked out",
        ]
    elif result.conflict is not None:
        step = result.conflict
        lines += [
            f"1. Resolve the conflict between {step.agent} and the agents merged before it in "
            f"{', '.join(step.conflicted_files)} (merge editor, or on {step.agent}'s branch)",
            "2. Run the integration again",
        ]
    elif result.cancelled:
        lines += ["1. Run the integration again when ready"]
    else:
        lines += [
            "1. Read the failure above and fix it on the agent's branch",
            f"2. Inspect the failing state: `git switch --detach {result.branch}` in a scratch worktree",
            "3. Run the integration again",
        ]
    lines += [
        "",
        "## Metrics",
        "",
        f"- Steps run: {len(result.steps)} of {len(result.order)}",
        f"- Total time: {sum(s.seconds for s in result.steps):.1f} s",
        f"- Integration branch head: {result.head[:12]}",
    ]
    return "\n".join(lines) + "\n"
