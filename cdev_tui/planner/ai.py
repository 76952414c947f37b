"""The AI decomposer: an OpenAI-compatible model proposes the plan, kept only when validation finds no errors.

The model sees the task and a compact repository index; secrets are redacted from everything sent (see
:mod:`cdev_tui.llm`, imported only when a plan is requested).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdev_tui.errors import CdevError
from cdev_tui.plan import Plan, plan_from_dict
from cdev_tui.planner.decompose import estimate_minutes
from cdev_tui.planner.derived import with_derived
from cdev_tui.planner.repo_index import RepoIndex, index_repo
from cdev_tui.planner.tasks import TaskSpec
from cdev_tui.planner.validate import PlanProblem, validate_plan

if TYPE_CHECKING:
    from cdev_tui.object_cache import ObjectCache


MAX_INDEX_LINES = 600

AI_SYSTEM_PROMPT = """You split a software task into agents that work in parallel git worktrees.
Answer with one JSON object:
{"taskId": str, "taskTitle": str, "reasoning": str,
 "parallelAgents": [{"agentId": "<area>_agent in snake_case", "agentRole": str, "focusArea": str,
   "dependencies": [agentId...], "filesToCreate": [path...], "filesToModify": [path...],
   "testContracts": [test file path...], "validationCriteria": [str...], "estimatedTime": minutes as int}],
 "integrationPlan": {"mergeOrder": [agentId...]}}
Rules: every file path belongs to exactly one agent (exclusive ownership); filesToModify only lists paths from the
repository index; filesToCreate only new paths in the repository's layout and language; an agent depends on the
agents whose files its files import; no dependency cycles; every dependency names an agent of the plan; every
agent owns at least one file; mergeOrder lists every agent after its dependencies."""


def repo_index_text(index: RepoIndex, limit: int = MAX_INDEX_LINES) -> str:
    """A compact listing for a model: ``path  language  lines  symbols  -> imports`` per file."""
    lines = []
    for f in index.files[:limit]:
        symbols = ",".join(f.symbols[:6])
        imports = ",".join(f.imports[:4])
        line = f"{f.path}  {f.language}  {f.lines}"
        line += f"  [{symbols}]" if symbols else ""
        line += f"  -> {imports}" if imports else ""
        lines.append(line[:240])
    if len(index.files) > limit:
        lines.append(f"... and {len(index.files) - limit} more files")
    return "\n".join(lines)


def ai_messages(task: TaskSpec, index: RepoIndex) -> list[dict[str, str]]:
    """The chat messages :func:`ai_decompose` sends (before redaction)."""
    requirements = "\n".join(f"{i}. {r}" for i, r in enumerate(task.requirements, 1))
    user = (
        f"Task {task.task_id}: {task.title}\n\nRequirements:\n{requirements}\n\n"
        f"Description:\n{task.description.strip() or '(none)'}\n\n"
        f"Repository index (path, language, lines, symbols, imports):\n{repo_index_text(index)}"
    )
    return [{"role": "system", "content": AI_SYSTEM_PROMPT}, {"role": "user", "content": user}]


def ai_decompose(
    task: TaskSpec,
    repo: Path,
    *,
    model: str | None = None,
    timeout: float = 120.0,
    client_factory: Callable[[float], Any] | None = None,
    cache: ObjectCache | None = None,
) -> Plan:
    """Ask an OpenAI-compatible model for the plan; raise CdevError unless it passes :func:`validate_plan`.

    Secrets are redacted from everything sent (see :mod:`cdev_tui.llm`). Missing estimates are filled in
    from file sizes; canStartImmediately, the merge order and the ownership block are recomputed.
    """
    from cdev_tui import llm

    index = index_repo(repo, cache=cache)
    model = model or llm.default_model()
    answer = llm.chat_json(
        ai_messages(task, index), model=model, timeout=timeout, client_factory=client_factory
    )
    return plan_from_ai_answer(task, answer, index, model=model)


def plan_from_ai_answer(task: TaskSpec, answer: Mapping[str, Any], index: RepoIndex, *, model: str) -> Plan:
    """Check and normalise a model's plan object; errors raise one CdevError naming the first problems."""
    data = dict(answer["plan"]) if isinstance(answer.get("plan"), Mapping) else dict(answer)
    data["taskId"], data["taskTitle"] = task.task_id, task.title
    entries = (
        data.get("parallelAgents") if isinstance(data.get("parallelAgents"), list) else data.get("agents")
    )
    problems: list[PlanProblem] = []
    if isinstance(entries, list):
        ids = Counter(str(e.get("agentId")) for e in entries if isinstance(e, Mapping))
        problems += [
            PlanProblem("error", k, f"agent id {k} is used by {n} agents")
            for k, n in sorted(ids.items())
            if n > 1
        ]
    try:
        parsed = plan_from_dict(data)
    except ValueError as exc:
        raise CdevError(f"the AI plan ({model}) is not a task plan: {exc}") from None
    agents = tuple(
        a
        if a.estimated_minutes is not None
        else replace(a, estimated_minutes=estimate_minutes(a.files_to_create, a.files_to_modify, index))
        for a in parsed.agents
    )
    extras: dict[str, Any] = {
        "decompositionStrategy": "llm",
        "conflictResolution": "validated_exclusive_ownership",
        "llmAnalysis": {
            "model": model,
            "reasoning": " ".join(str(data.get("reasoning") or "").split())[:1000],
        },
    }
    plan = Plan(task.task_id, task.title, agents, parsed.merge_order, None, extras)
    problems += [p for p in validate_plan(plan, index.root) if p.severity == "error"]
    if problems:
        shown = "; ".join(p.message for p in problems[:3])
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        raise CdevError(f"the AI plan ({model}) was rejected: {shown}{more}")
    return with_derived(plan)
