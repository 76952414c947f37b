"""Validate and integrate: pre-flight checks, real merges into a new integration branch, reports, finish.

Textual-free. An integration never touches the target branch, the main worktree or any agent worktree or
branch; only :func:`finish`, called with ``confirm=True``, moves the target.
"""

from cdev_tui.integrate.finish import finish
from cdev_tui.integrate.preflight import integration_order, preflight, select_agents
from cdev_tui.integrate.report import render_markdown
from cdev_tui.integrate.results import IntegrationResult, Problem, StepEvent, StepResult
from cdev_tui.integrate.steps import integrate
from cdev_tui.integrate.testrun import CommandRun, run_test_command

__all__ = [
    "CommandRun",
    "IntegrationResult",
    "Problem",
    "StepEvent",
    "StepResult",
    "finish",
    "integrate",
    "integration_order",
    "preflight",
    "render_markdown",
    "run_test_command",
    "select_agents",
]
