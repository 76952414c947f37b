"""Agent statuses (a module of its own so that the UI can name them without loading the workspace model)."""

from enum import StrEnum


class AgentStatus(StrEnum):
    """Where an agent stands."""

    PLANNED = "planned"
    READY = "ready"
    BLOCKED = "blocked"
    IN_PROGRESS = "in progress"
    COMPLETE = "complete"
    MERGED = "merged"
    MISSING = "missing"
