"""Planning: a task (Linear issue, markdown list, text) → a deployment plan with exclusive file ownership.

:func:`decompose` reads the repository's real structure (tracked files, directories, languages, symbols and
imports) and is deterministic; :func:`ai_decompose` asks an OpenAI-compatible model and keeps its answer only
when :func:`validate_plan` finds no errors. :func:`plan_to_dict` and :func:`save_plan` write cdev's §2.2
task-plan JSON (plus ``integration_order``) so that every reader of that format accepts it.

This package re-exports its public API; the modules hold one concern each:

- :mod:`~cdev_tui.planner.tasks`: task inputs (markdown, text, Linear issue objects) → :class:`TaskSpec`.
- :mod:`~cdev_tui.planner.linear`: Linear issues from ``.linear-cache`` and from the GraphQL API.
- :mod:`~cdev_tui.planner.repo_index`: the repository index (languages, symbols, resolved imports).
- :mod:`~cdev_tui.planner.matching`: requirement → files scoring and new files in the repository's style.
- :mod:`~cdev_tui.planner.decompose`: the deterministic decomposer (grouping, agents, names, estimates).
- :mod:`~cdev_tui.planner.graph`: dependency graphs (strongly connected groups, cycles, merge order).
- :mod:`~cdev_tui.planner.derived`: derived fields (start flags, merge order, ownership, default steps).
- :mod:`~cdev_tui.planner.validate`: :class:`PlanProblem` and :func:`validate_plan`.
- :mod:`~cdev_tui.planner.serialise`: the plan as JSON, its default path and saving.
- :mod:`~cdev_tui.planner.ai`: the AI decomposer.
- :mod:`~cdev_tui.planner.templates`: workflow templates (``.cdev/templates/<name>.toml``, built-in ones).
- :mod:`~cdev_tui.planner.template_plan`: a template applied to a task (conditional steps, claimed files).
- :mod:`~cdev_tui.planner.calibrate`: estimates scaled by how long finished agents really took.

Importing this package loads neither textual, openai nor git (``cdev_tui.llm`` is imported only when
:func:`ai_decompose` runs).
"""

from __future__ import annotations

from cdev_tui.plan import ownership_summary
from cdev_tui.planner.ai import (
    AI_SYSTEM_PROMPT,
    MAX_INDEX_LINES,
    ai_decompose,
    ai_messages,
    plan_from_ai_answer,
    repo_index_text,
)
from cdev_tui.planner.calibrate import (
    Calibration,
    FinishedAgent,
    calibrate_estimates,
    calibrate_plan,
    calibration_from,
    finished_history,
    repository_history,
)
from cdev_tui.planner.decompose import decompose, estimate_minutes, snake_case
from cdev_tui.planner.derived import VALIDATION_STEPS, merge_order_fits, normalise, with_derived
from cdev_tui.planner.graph import find_cycles, merge_order
from cdev_tui.planner.linear import (
    DEFAULT_LINEAR_URL,
    LINEAR_QUERY,
    fetch_linear_issue,
    find_linear_cache,
    load_linear_task,
)
from cdev_tui.planner.repo_index import MAX_INDEX_FILE_BYTES, RepoFile, RepoIndex, index_repo, is_test_path
from cdev_tui.planner.serialise import default_plan_path, plan_to_dict, save_plan
from cdev_tui.planner.tasks import (
    MAX_TASK_BYTES,
    TaskSpec,
    load_task_file,
    requirements_from_text,
    task_from_issue,
    task_from_text,
)
from cdev_tui.planner.template_plan import glob_matcher, made_notes, plan_from_template, task_words
from cdev_tui.planner.templates import (
    TEMPLATES_DIR,
    Template,
    TemplateInfo,
    TemplateStep,
    list_templates,
    load_template,
    parse_template,
    read_template,
)
from cdev_tui.planner.validate import PlanProblem, validate_plan

__all__ = [
    "AI_SYSTEM_PROMPT",
    "DEFAULT_LINEAR_URL",
    "LINEAR_QUERY",
    "MAX_INDEX_FILE_BYTES",
    "MAX_INDEX_LINES",
    "MAX_TASK_BYTES",
    "TEMPLATES_DIR",
    "VALIDATION_STEPS",
    "Calibration",
    "FinishedAgent",
    "PlanProblem",
    "RepoFile",
    "RepoIndex",
    "TaskSpec",
    "Template",
    "TemplateInfo",
    "TemplateStep",
    "ai_decompose",
    "ai_messages",
    "calibrate_estimates",
    "calibrate_plan",
    "calibration_from",
    "decompose",
    "default_plan_path",
    "estimate_minutes",
    "fetch_linear_issue",
    "find_cycles",
    "find_linear_cache",
    "finished_history",
    "glob_matcher",
    "index_repo",
    "is_test_path",
    "list_templates",
    "load_linear_task",
    "load_task_file",
    "load_template",
    "made_notes",
    "merge_order",
    "merge_order_fits",
    "normalise",
    "ownership_summary",
    "parse_template",
    "plan_from_ai_answer",
    "plan_from_template",
    "plan_to_dict",
    "read_template",
    "repo_index_text",
    "repository_history",
    "requirements_from_text",
    "save_plan",
    "snake_case",
    "task_from_issue",
    "task_from_text",
    "task_words",
    "validate_plan",
    "with_derived",
]
