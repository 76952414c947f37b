"""The workspace: the repository, its agent worktrees, and each agent's plan, checklist and git state.

Textual-free. :mod:`~cdev_tui.workspace.model` holds what it is made of, :mod:`~.cdev_files` reads cdev's
files, :mod:`~.git_facts` asks git (few processes, answers cached by commit id), :mod:`~.derive` works out
statuses across agents, :mod:`~.loader` puts them together and :mod:`~.last_known` keeps the last snapshot
in the store so the app can draw it before git answers.
"""

from typing import TYPE_CHECKING

from cdev_tui.lazy_exports import lazy_exports
from cdev_tui.status import AgentStatus
from cdev_tui.workspace.model import (
    BOOKKEEPING_PREFIXES,
    SCRATCH_PREFIXES,
    UNMERGED_CODES,
    Agent,
    AgentFacts,
    Commit,
    GitState,
    Violation,
    WorkspacePaths,
    WorkspaceSnapshot,
)

__getattr__, __dir__ = lazy_exports(
    __name__,
    {"derive_agents": "derive", "Clock": "loader", "WorkspaceLoader": "loader", "resolve_paths": "loader"},
)

if TYPE_CHECKING:
    from cdev_tui.workspace.derive import derive_agents
    from cdev_tui.workspace.loader import Clock, WorkspaceLoader, resolve_paths

__all__ = [
    "BOOKKEEPING_PREFIXES",
    "SCRATCH_PREFIXES",
    "UNMERGED_CODES",
    "Agent",
    "AgentFacts",
    "AgentStatus",
    "Clock",
    "Commit",
    "GitState",
    "Violation",
    "WorkspaceLoader",
    "WorkspacePaths",
    "WorkspaceSnapshot",
    "derive_agents",
    "resolve_paths",
]
