"""Agent statuses (a module of its own so that the UI can name them without loading the workspace model)."""

from enum import StrEnum


class AgentStatus(StrEnum):
    """Where an agent stands."""

    PLANNED = "planned"
    READY = "ready"
    BLOCKED = "blocked"
    IN_PROGRESS = "in progress"
    COMPLETE = "complete"
    COMMITTED = "committed"
    """Complete, its work committed on the branch and the worktree clean: ready to integrate."""
    MERGED = "merged"
    MISSING = "missing"


DONE_STATUSES = (AgentStatus.COMPLETE, AgentStatus.COMMITTED, AgentStatus.MERGED)
"""An agent in one of these has finished its checklist: its dependants may start."""
