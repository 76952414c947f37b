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
    scope: str = "app"
    """``app`` (bound everywhere) or the screen it belongs to (``merge-editor``): its keys work there only."""


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
            (
                "resolve",
                "Resolve conflicts",
                "m",
                "Open the merge editor on the agent's worktree (merge, rebase or stash conflict)",
            ),
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
    *(
        Command(
            f"merge.{name}",
            title,
            keys,
            action,
            description,
            show_in_footer=footer,
            group="Merge editor",
            scope="merge-editor",
        )
        for name, title, keys, action, description, footer in (
            (
                "ours",
                "Take ours",
                "o",
                "pick('ours')",
                "Resolve the hunk with our side (or take our file)",
                True,
            ),
            ("theirs", "Take theirs", "t", "pick('theirs')", "Resolve the hunk with their side", True),
            ("both", "Take both", "b", "pick('both')", "Ours, then theirs", True),
            (
                "both-reversed",
                "Take both, theirs first",
                "B",
                "pick('both-reversed')",
                "Theirs, then ours",
                False,
            ),
            (
                "base",
                "Take the base",
                "s",
                "pick('base')",
                "The common ancestor's text (drops both changes)",
                False,
            ),
            ("accept", "Accept suggestion", "a", "accept", "Resolve the hunk with its best suggestion", True),
            (
                "accept-safe",
                "Accept safe suggestions",
                "A",
                "accept_safe",
                "Every trivial, structural or learned suggestion of this file",
                True,
            ),
            ("edit", "Edit hunk", "e", "edit", "Write the hunk's result yourself", True),
            (
                "external",
                "Edit in $EDITOR",
                "E",
                "external_edit",
                "Edit the hunk (or the file) in $EDITOR",
                False,
            ),
            (
                "llm",
                "Ask the LLM",
                "l",
                "ask_llm",
                "A suggestion from the configured LLM (secrets redacted)",
                False,
            ),
            ("next", "Next hunk", "n", "move(1)", "Go to the next hunk (across files)", False),
            ("previous", "Previous hunk", "N", "move(-1)", "Go to the previous hunk", False),
            ("next-file", "Next file", "right_square_bracket", "move_file(1)", "Go to the next file", False),
            (
                "previous-file",
                "Previous file",
                "left_square_bracket",
                "move_file(-1)",
                "Go to the previous file",
                False,
            ),
            ("clear", "Undo this hunk's choice", "x", "clear", "Show the hunk's conflict again", False),
            ("undo", "Undo", "u", "undo", "Take back the last change", True),
            ("redo", "Redo", "ctrl+r", "redo", "Make the last undone change again", False),
            (
                "keep",
                "Keep the file",
                "k",
                "file_action('keep')",
                "For a modify/delete or rename conflict",
                False,
            ),
            (
                "delete",
                "Delete the file",
                "d",
                "file_action('delete')",
                "For a modify/delete or rename conflict",
                False,
            ),
            (
                "write",
                "Write file",
                "w",
                "write",
                "Write the file and stage it (asks while markers remain)",
                True,
            ),
            (
                "conclude",
                "Conclude",
                "c",
                "conclude",
                "Commit the merge (or continue the rebase) once every file is written",
                True,
            ),
            (
                "abort",
                "Abort merge",
                "ctrl+a",
                "abort",
                "Back to exactly the state before the merge (asks first)",
                True,
            ),
            (
                "restore",
                "Restore the original",
                "R",
                "restore",
                "Put a written file back to its conflicted original",
                False,
            ),
            (
                "forget",
                "Forget the learned resolution",
                "F",
                "forget",
                "Stop offering what was learned for this hunk",
                False,
            ),
            (
                "close",
                "Close the editor",
                "escape,q",
                "close",
                "Leave (asks when choices are not written)",
                True,
            ),
        )
    ),
    Command("app.refresh", "Refresh", "r", "refresh_workspace", "Re-read every agent from disk and git"),
    Command("app.rescan", "Rescan secrets", "s", "rescan", "Run the secret scan again over every worktree"),
    Command("app.help", "Help", "question_mark", "help", "Show every key and command"),
    Command("app.quit", "Quit", "q", "quit", "Leave cdev-tui"),
)


def scoped(scope: str) -> tuple[Command, ...]:
    """The commands of one scope (``app`` for the app-wide ones)."""
    return tuple(c for c in COMMANDS if c.scope == scope)


def command_by_id(command_id: str) -> Command:
    """Look up a command; raises KeyError for an unknown id."""
    for command in COMMANDS:
        if command.id == command_id:
            return command
    raise KeyError(command_id)
