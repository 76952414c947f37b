"""The command registry: one list of commands that feeds key bindings, the command palette and voice."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """Something the user can ask for, by key, from the palette, or (later) by voice."""

    id: str
    title: str
    keys: str
    action: str
    description: str
    show_in_footer: bool = True
    group: str = "General"


PANES: tuple[tuple[str, str], ...] = (
    ("agents", "Agents"),
    ("conflicts", "Conflicts"),
    ("security", "Security"),
    ("metrics", "Metrics"),
)
"""Pane id and title, in tab order (keys 1 to 4)."""


COMMANDS: tuple[Command, ...] = (
    *(
        Command(
            id=f"pane.{pane}",
            title=f"Show {title}",
            keys=str(number),
            action=f"show_pane('{pane}')",
            description=f"Switch to the {title} pane",
            show_in_footer=number == 1,
            group="Panes",
        )
        for number, (pane, title) in enumerate(PANES, start=1)
    ),
    Command(
        "agents.search",
        "Search agents",
        "slash",
        "agents('start_search')",
        "Filter the agent table by text",
        group="Agents",
        show_in_footer=False,
    ),
    Command(
        "agents.sort",
        "Sort agents",
        "S",
        "agents('cycle_sort')",
        "Sort by plan order, status, progress or name",
        group="Agents",
        show_in_footer=False,
    ),
    Command(
        "agents.filter",
        "Filter agents",
        "F",
        "agents('cycle_filter')",
        "Show all, only active, or only agents that need attention",
        group="Agents",
        show_in_footer=False,
    ),
    *(
        Command(
            f"agent.{name}", title, keys, f"agent('{name}')", description, show_in_footer=False, group="Agent"
        )
        for name, title, keys, description in (
            ("checklist", "Edit checklist", "t", "Tick or untick the highlighted agent's checklist items"),
            ("complete", "Mark complete", "X", "Tick every item and create the COMPLETED marker"),
            (
                "commit",
                "Commit agent work",
                "c",
                "Commit the worktree with a generated message (checklist gate)",
            ),
            ("editor", "Open in editor", "e", "Open the worktree in $EDITOR"),
            ("shell", "Open a shell", "o", "Open a shell in the worktree"),
            ("agent", "Run the agent", "a", "Run the configured agent command (e.g. claude) in the worktree"),
            ("remove", "Remove worktree", "D", "Remove the agent's worktree (the branch stays)"),
            ("delete-branch", "Delete merged branch", "B", "Delete the agent's branch once it is merged"),
            ("prune", "Prune worktrees", "P", "Forget worktrees whose folders are gone"),
        )
    ),
    Command(
        "plan.open",
        "Plan",
        "p",
        "plan",
        "Plan a task into agents with exclusive files, edit it, save it, spawn it",
        group="Workflow",
    ),
    Command(
        "integrate.open",
        "Integrate",
        "i",
        "integrate",
        "Pre-flight, merge finished agents into a new branch, test, finish",
        group="Workflow",
    ),
    Command("app.refresh", "Refresh", "r", "refresh_workspace", "Re-read every agent from disk and git"),
    Command("app.rescan", "Rescan secrets", "s", "rescan", "Run the secret scan again over every worktree"),
    Command("app.help", "Help", "question_mark", "help", "Show every key and command"),
    Command("app.quit", "Quit", "q", "quit", "Leave cdev-tui"),
)


def command_by_id(command_id: str) -> Command:
    """Look up a command; raises KeyError for an unknown id."""
    for command in COMMANDS:
        if command.id == command_id:
            return command
    raise KeyError(command_id)
