"""Serialisation and saving: a plan as cdev's §2.2 task-plan JSON, written atomically to its default path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.plan import Plan, PlanAgent, critical_path, ownership_summary
from cdev_tui.planner.derived import VALIDATION_STEPS
from cdev_tui.planner.graph import find_cycles
from cdev_tui.planner.tasks import _check_task_id
from cdev_tui.planner.validate import validate_plan
from cdev_tui.workspace_files import plan_file_name, write_plan_json


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The §2.2 task-plan JSON object (camelCase keys), with ``integration_order`` for cdev's integrate.

    ``exclusiveOwnership`` is always recomputed from the agents; other extra keys are written as they are.
    ``validationSteps`` are the plan's own, else :data:`VALIDATION_STEPS`. ``plan_from_dict(plan_to_dict(p))
    == p`` for plans whose ownership block and validation steps are current (see :func:`with_derived`).
    """
    head_keys = ("decompositionStrategy", "conflictResolution")
    derived = {"exclusiveOwnership", "integrationPlan", "integration_order", "parallelAgents"}
    data: dict[str, Any] = {"taskId": plan.task_id, "taskTitle": plan.task_title}
    data.update({k: plan.extras[k] for k in head_keys if k in plan.extras})
    data["parallelAgents"] = [agent_to_dict(a) for a in plan.agents]
    chain, minutes = critical_path(plan.agents) if plan.agents and not find_cycles(plan.agents) else ([], 0)
    data["integrationPlan"] = {
        "mergeOrder": list(plan.merge_order),
        "criticalPath": chain,
        "criticalPathMinutes": minutes,
        "validationSteps": list(plan.validation_steps or VALIDATION_STEPS),
    }
    data.update({k: v for k, v in plan.extras.items() if k not in derived and k not in head_keys})
    data["exclusiveOwnership"] = ownership_summary(plan.agents)
    data["integration_order"] = list(plan.merge_order)
    return data


def agent_to_dict(agent: PlanAgent) -> dict[str, Any]:
    """One ``parallelAgents`` entry in cdev's camelCase keys."""
    entry: dict[str, Any] = {
        "agentId": agent.agent_id,
        "agentRole": agent.role,
        "focusArea": agent.focus_area,
        "dependencies": list(agent.dependencies),
        "filesToCreate": list(agent.files_to_create),
        "filesToModify": list(agent.files_to_modify),
        "testContracts": list(agent.test_contracts),
        "validationCriteria": list(agent.validation_criteria),
    }
    if agent.estimated_minutes is not None:
        entry["estimatedTime"] = agent.estimated_minutes
    if agent.can_start_immediately is not None:
        entry["canStartImmediately"] = agent.can_start_immediately
    return entry


def default_plan_path(repo: Path, task_id: str) -> Path:
    """``<repo>/shared/deployment-plans/<task-id-lower>-deployment-plan.json``."""
    return Path(repo) / "shared" / "deployment-plans" / plan_file_name(_check_task_id(task_id, "plan"))


def save_plan(plan: Plan, repo: Path, path: Path | None = None) -> Path:
    """Write ``plan`` as JSON (atomically) to ``path`` or the default location; a plan with errors is refused."""
    target = Path(path) if path is not None else default_plan_path(repo, plan.task_id)
    errors = [p for p in validate_plan(plan) if p.severity == "error"]
    if errors:
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CdevError(f"{target}: not written, the plan has errors: {errors[0].message}{more}")
    if target.is_dir():
        raise CdevError(f"{target}: is a directory")
    return write_plan_json(target, plan_to_dict(plan))
