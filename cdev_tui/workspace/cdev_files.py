"""cdev's own files in a worktree: the agent context, the files list, contracts, and plan lookups."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.plan import Plan, PlanAgent, plan_agent_from_dict
from cdev_tui.structured import load_structured, read_text_lines


def planned_id_for_branch(plans: Sequence[Plan], branch: str | None) -> str | None:
    """The agent a plan gives the branch ``<taskId>-<agentId>`` to, matched whole (never by splitting)."""
    for plan in plans:
        for spec in plan.agents:
            if branch == f"{plan.task_id}-{spec.agent_id}":
                return spec.agent_id
    return None


def plan_spec(plans: Sequence[Plan], agent_id: str) -> PlanAgent | None:
    for plan in plans:
        spec = plan.agent(agent_id)
        if spec is not None:
            return spec
    return None


def prefer_context(plan_spec: PlanAgent, context: PlanAgent) -> PlanAgent:
    """The context file is what the agent works from; the plan fills anything it lacks."""
    return PlanAgent(
        agent_id=context.agent_id,
        role=context.role or plan_spec.role,
        focus_area=context.focus_area or plan_spec.focus_area,
        dependencies=context.dependencies or plan_spec.dependencies,
        files_to_create=context.files_to_create or plan_spec.files_to_create,
        files_to_modify=context.files_to_modify or plan_spec.files_to_modify,
        test_contracts=context.test_contracts or plan_spec.test_contracts,
        validation_criteria=context.validation_criteria or plan_spec.validation_criteria,
        estimated_minutes=context.estimated_minutes or plan_spec.estimated_minutes,
        can_start_immediately=(
            context.can_start_immediately
            if context.can_start_immediately is not None
            else plan_spec.can_start_immediately
        ),
    )


def read_files_list(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    lines = read_text_lines(path)
    return None if lines is None else parse_files_list(lines)


def parse_files_list(lines: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``files_to_work_on.txt``'s ``CREATE: path`` and ``MODIFY: path`` lines (others are ignored)."""
    create: list[str] = []
    modify: list[str] = []
    for line in lines:
        kind, _, rest = line.partition(":")
        if kind.strip().upper() == "CREATE" and rest.strip():
            create.append(rest.strip())
        elif kind.strip().upper() == "MODIFY" and rest.strip():
            modify.append(rest.strip())
    return tuple(create), tuple(modify)


def context_raw(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        data = load_structured(path)
    except CdevError:
        return {}
    return data if isinstance(data, dict) else {}


def contract_present(worktree: Path, contract: str) -> bool:
    """A contract names a path, or (cdev's pattern decomposer) a bare file name found anywhere in the tree."""
    if (worktree / contract).exists():
        return True
    if "/" in contract:
        return False
    seen = 0
    for _folder, dirs, files in os.walk(worktree):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules", ".venv", "__pycache__")]
        if contract in files:
            return True
        seen += len(files)
        if seen > 20_000:  # give up on huge trees rather than stall a refresh
            return False
    return False


def git_dir_of(worktree: Path) -> Path | None:
    marker = worktree / ".git"
    if marker.is_file():
        text = marker.read_text(errors="replace").strip()
        if text.startswith("gitdir:"):
            path = Path(text[len("gitdir:") :].strip())
            return path if path.is_absolute() else (worktree / path).resolve()
    return None


CONTEXT_NAMES = ("agent_context.json", "agent_context.yaml", "agent_context.yml")
"""The names an agent context file goes by in ``workspaces/<agent>/``, in order of preference."""


def context_spec(
    load: Callable[[], object], where: Path, problems: list[str]
) -> tuple[PlanAgent, dict[str, Any]] | None:
    """An agent context (read by ``load``, from a file or a branch's blob) as a plan entry and its raw mapping;
    None with a one-line problem when it is not one."""
    try:
        data = load()
        if not isinstance(data, dict):
            raise CdevError(f"{where}: expected a mapping at the top level")
        return plan_agent_from_dict(data), data
    except (CdevError, ValueError) as exc:
        problems.append(str(exc) if isinstance(exc, CdevError) else f"{where}: {exc}")
        return None


def read_context(
    worktree: Path, branch: str | None, problems: list[str]
) -> tuple[PlanAgent | None, Path | None]:
    """The agent context in ``workspaces/*/``: the one whose branch name matches, else the first readable."""
    base = worktree / "workspaces"
    if not base.is_dir():
        return None, None
    candidates: list[tuple[PlanAgent, Path, str]] = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        for name in CONTEXT_NAMES:
            path = folder / name
            if not path.is_file():
                continue
            found = context_spec(lambda path=path: load_structured(path), path, problems)
            if found is None:
                continue
            spec, data = found
            candidates.append((spec, path, str(data.get("branchName") or "")))
            break
    return pick_context(candidates, branch)


def pick_context(
    candidates: Sequence[tuple[PlanAgent, Path, str]], branch: str | None
) -> tuple[PlanAgent | None, Path | None]:
    """Of ``(spec, path, branchName)`` contexts: the one naming ``branch``, else the one whose agent id ends
    the branch name, else the first."""
    if not candidates:
        return None, None
    for spec, path, branch_name in candidates:
        if branch and branch_name == branch:
            return spec, path
    for spec, path, _ in candidates:
        if branch and branch.endswith(spec.agent_id):
            return spec, path
    return candidates[0][0], candidates[0][1]
