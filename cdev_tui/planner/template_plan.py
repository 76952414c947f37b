"""Applying a workflow template to a task: the steps that apply, the files each claims, the plan they make.

See :mod:`cdev_tui.planner.templates` for the format and the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdev_tui.errors import CdevError
from cdev_tui.plan import Plan, PlanAgent
from cdev_tui.planner.decompose import _area_of, estimate_minutes, snake_case
from cdev_tui.planner.derived import with_derived
from cdev_tui.planner.matching import _STOPWORDS, _Matcher, _tokens
from cdev_tui.planner.repo_index import RepoIndex, index_repo, is_test_path
from cdev_tui.planner.tasks import _TICKET, TaskSpec
from cdev_tui.planner.templates import _PLACEHOLDER, Template, TemplateStep, _shown

if TYPE_CHECKING:
    from cdev_tui.object_cache import ObjectCache

_AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


def glob_matcher(globs: Sequence[str]) -> Callable[[str], bool]:
    """A predicate over repository paths: matches any glob, and none of those starting with ``!``."""
    from cdev_tui.security.baseline import glob_pattern

    def compiled(glob: str) -> re.Pattern[str]:
        return glob_pattern(glob if "/" in glob else "**/" + glob)

    keep = [compiled(g) for g in globs if not g.startswith("!")]
    drop = [compiled(g[1:]) for g in globs if g.startswith("!")]

    def matches(path: str) -> bool:
        return any(p.fullmatch(path) for p in keep) and not any(p.fullmatch(path) for p in drop)

    return matches


def task_words(task: TaskSpec) -> dict[str, str]:
    """The placeholders' values for ``task``: slug, kebab, pascal, task_id and title."""
    title = _TICKET.sub(" ", task.title)
    words = [w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in _STOPWORDS][:3]
    words = words or [w for w in re.findall(r"[a-z0-9]+", task.task_id.lower())][:3] or ["task"]
    return {
        "slug": "_".join(words),
        "kebab": "-".join(words),
        "pascal": "".join(w.title() for w in words),
        "task_id": task.task_id,
        "title": task.title,
    }


def _fill(text: str, words: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: words[m.group(1)], text)


@dataclass(frozen=True)
class _Claim:
    step: TemplateStep
    modify: list[str]
    create: list[str]


def _mentions(step: TemplateStep, said: set[str]) -> bool:
    """Whether the task says one of the step's words (each word of a phrase, in any form: schema/schemas)."""
    return any(_tokens(m) and set(_tokens(m)) <= said for m in step.mentions)


def plan_from_template(
    template: Template, task: TaskSpec, repo: Path, *, cache: ObjectCache | None = None
) -> Plan:
    """``task`` planned along ``template``: its steps that apply, with the files each claims, as a plan that
    :func:`validate_plan` accepts (exclusive ownership, known dependencies, no cycles)."""
    index = index_repo(repo, cache=cache)
    matcher = _Matcher(index)
    picks = [matcher.pick(i, r) for i, r in enumerate(task.requirements)]
    matched_modify = list(dict.fromkeys(p for pick in picks for p in pick.modify))
    matched_create = [
        p for p in dict.fromkeys(c for pick in picks for c in pick.create) if p not in matched_modify
    ]
    matched = [*matched_modify, *matched_create]
    tracked = [f.path for f in index.files]
    words = task_words(task)
    said = set(_tokens(f"{task.title}\n{task.description}\n" + "\n".join(task.requirements)))
    claimed: set[str] = set()
    claims: list[_Claim] = []
    dropped: dict[str, str] = {}
    for step in template.steps:
        if step.conditional:
            touches = glob_matcher(step.touches)
            if not (any(touches(p) for p in matched) or _mentions(step, said)):
                dropped[step.step_id] = _condition_text(step)
                continue
        files, owns = glob_matcher(step.files), glob_matcher(step.owns)
        modify = [p for p in matched_modify if step.files and files(p)]
        modify += [p for p in tracked if step.owns and owns(p)]
        create = [p for p in matched_create if step.files and files(p)]
        for pattern in step.create:
            path = _fill(pattern, words)
            (modify if path in index.by_path or (repo / path).exists() else create).append(path)
        modify = [p for p in dict.fromkeys(modify) if p not in claimed]
        create = [p for p in dict.fromkeys(create) if p not in claimed and p not in modify]
        if not modify and not create:
            dropped[step.step_id] = "no files of this task fit it"
            continue
        claimed.update(modify, create)
        claims.append(_Claim(step, modify, create))
    agents = _agents(template, claims, words, index)
    extras: dict[str, Any] = {
        "decompositionStrategy": f"template:{template.name}",
        "conflictResolution": "eliminated_by_design",
        "template": {
            "name": template.name,
            "source": "built-in" if template.builtin else _shown(template.path, repo),
            "droppedSteps": dropped,
            "unclaimedFiles": [p for p in matched if p not in claimed],
        },
    }
    unplaced = [p.requirement for p in picks if not p.files]
    if unplaced:
        extras["unplacedRequirements"] = unplaced
    return with_derived(Plan(task.task_id, task.title, tuple(agents), extras=extras))


def _condition_text(step: TemplateStep) -> str:
    parts = []
    if step.touches:
        parts.append("the task touches none of " + ", ".join(step.touches))
    if step.mentions:
        parts.append("it mentions none of " + ", ".join(step.mentions))
    return " and ".join(parts)


def _agents(
    template: Template,
    claims: Sequence[_Claim],
    words: Mapping[str, str],
    index: RepoIndex,
) -> list[PlanAgent]:
    """One agent per kept step (per folder for a split step), depending on the agents of the steps its step
    depends on, through dropped steps."""
    by_step = {s.step_id: s for s in template.steps}
    parts: dict[str, list[_Part]] = {c.step.step_id: _parts(template, c, words) for c in claims}
    used: dict[str, str] = {}
    for claim in claims:
        for part in parts[claim.step.step_id]:
            if part.agent_id in used:
                raise CdevError(
                    f"{template.path}: {claim.step.key}.agent gives {part.agent_id!r}, as {used[part.agent_id]}"
                    " does"
                )
            used[part.agent_id] = f"{claim.step.key}.agent"

    def kept_dependencies(step_id: str) -> list[str]:
        found: list[str] = []
        for dep in by_step[step_id].depends_on:
            if dep in parts:
                found += [part.agent_id for part in parts[dep]]
            else:  # dropped: its own dependencies stand in for it (the template has no cycles)
                found += kept_dependencies(dep)
        return list(dict.fromkeys(found))

    agents = []
    for claim in claims:
        step = claim.step
        dependencies = tuple(kept_dependencies(step.step_id))
        for part in parts[step.step_id]:
            texts = {**words, "area": part.area}
            role = _fill(step.role, texts) or f"{template.description or template.name}: {step.step_id}"
            tests = [p for p in [*part.create, *part.modify] if is_test_path(p)]
            contracts = [_fill(c, texts) for c in step.test_contracts] or tests
            criteria = [f"Done: {role}", *(_fill(v, texts) for v in step.validation)]
            if tests:
                criteria.append("Tests pass: " + ", ".join(tests))
            criteria.append(f"Only files owned by {part.agent_id} are changed")
            agents.append(
                PlanAgent(
                    agent_id=part.agent_id,
                    role=role[:200],
                    focus_area=_fill(step.focus, texts) or step.step_id.replace("_", " ").title(),
                    dependencies=dependencies,
                    files_to_create=tuple(sorted(part.create)),
                    files_to_modify=tuple(sorted(part.modify)),
                    test_contracts=tuple(dict.fromkeys(contracts)),
                    validation_criteria=tuple(dict.fromkeys(criteria)),
                    estimated_minutes=step.estimate_minutes
                    or estimate_minutes(part.create, part.modify, index),
                )
            )
    return agents


@dataclass(frozen=True)
class _Part:
    """One agent of a step: all of it, or one folder of a split step."""

    agent_id: str
    area: str
    modify: list[str]
    create: list[str]


def _parts(template: Template, claim: _Claim, words: Mapping[str, str]) -> list[_Part]:
    step = claim.step
    if step.split:
        areas: dict[str, tuple[list[str], list[str]]] = {}
        for kind, paths in ((0, claim.modify), (1, claim.create)):
            for path in paths:
                areas.setdefault(snake_case(_area_of([path])), ([], []))[kind].append(path)
        parts = [
            _Part(_fill(step.agent, {**words, "area": area}), area, modify, create)
            for area, (modify, create) in sorted(areas.items())
        ]
    else:
        parts = [_Part(_fill(step.agent, words), "", claim.modify, claim.create)]
    for part in parts:
        if not _AGENT_ID.match(part.agent_id) or ".." in part.agent_id:
            raise CdevError(
                f"{template.path}: {step.key}.agent gives {part.agent_id!r}: use letters, digits, '.', '_' or '-'"
            )
    return parts


def made_notes(plan: Plan) -> list[str]:
    """How a plan was made, in lines for the user: its template, the steps it left out and why, the task's
    files no step took, and how its estimates were calibrated."""
    notes = []
    template = plan.extras.get("template")
    if isinstance(template, Mapping):
        notes.append(f"template {template.get('name')} ({template.get('source')})")
        dropped = template.get("droppedSteps")
        for step, reason in (dropped if isinstance(dropped, Mapping) else {}).items():
            notes.append(f"  left out {step}: {reason}")
        unclaimed = template.get("unclaimedFiles")
        if unclaimed and isinstance(unclaimed, list):
            notes.append(f"  files of the task no step takes: {', '.join(map(str, unclaimed))}")
    calibration = plan.extras.get("estimateCalibration")
    if isinstance(calibration, Mapping) and calibration.get("note"):
        notes.append(str(calibration["note"]))
    return notes
