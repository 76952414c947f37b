"""The first prompt an agent's program gets, built from the agent's own files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cdev_tui.workspace import Agent

MAX_LISTED = 40
"""Files, contracts and checklist items listed in full; more are counted (the files hold the rest)."""


def first_prompt(agent: Agent) -> str:
    """What the agent is, which files it owns, its contracts and its remaining checklist, and where they are."""
    spec, facts = agent.spec, agent.facts
    worktree = facts.worktree or Path(".")
    lines = [f"You are {agent.agent_id}" + (f", the {spec.role}" if spec.role else "") + "."]
    if facts.task_id:
        lines[0] += f" Task: {facts.task_id}."
    if spec.focus_area:
        lines.append(f"Focus: {spec.focus_area}")
    if facts.context_path is not None:
        lines.append(f"Read your full instructions in {_relative(facts.context_path, worktree)} first.")
    _listed(lines, "You own these files (create or change only these):", spec.owned_files)
    _listed(lines, "Make these tests pass:", spec.test_contracts)
    _listed(lines, "Done when:", spec.validation_criteria)
    checklist = facts.checklist
    if checklist is not None:
        remaining = [item.text for item in checklist.items if not item.checked]
        where = _relative(checklist.path, worktree)
        _listed(lines, f"Your checklist ({where}; tick each item as you finish it):", remaining)
    if spec.dependencies:
        lines.append("Builds on the work of: " + ", ".join(spec.dependencies) + ".")
    lines.append("Commit your work on this branch when the checklist is done.")
    return "\n".join(lines)


def _listed(lines: list[str], title: str, items: tuple[str, ...] | list[str]) -> None:
    if not items:
        return
    lines.append(title)
    lines.extend(f"- {item}" for item in items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        lines.append(f"- … and {len(items) - MAX_LISTED} more")


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)
