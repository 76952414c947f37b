"""The command registry: one list of commands that feeds key bindings, the command palette and voice."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

SLOT = re.compile(r"\{(agent|pane|number)\}")
"""A typed slot in a spoken form: ``{agent}`` (a live agent id), ``{pane}`` (a pane id), ``{number}``."""


@dataclass(frozen=True)
class Command:
    """Something the user can ask for, by key, from the palette, or by voice."""

    id: str
    title: str
    keys: str
    action: str
    description: str
    show_in_footer: bool = True
    group: str = "General"
    scope: str = "app"
    """``app`` (bound everywhere) or the screen it belongs to (``merge-editor``): its keys work there only."""
    spoken: tuple[str, ...] = ()
    """What a user says for it, most natural first; may hold the slots ``{agent}``, ``{pane}``, ``{number}``."""
    destructive: bool = False
    """It removes, commits, merges or leaves: the app asks for confirmation, also when it comes from voice."""

    @property
    def slots(self) -> tuple[str, ...]:
        """The slot names its spoken forms use, in order of first appearance."""
        names = (name for form in self.spoken for name in SLOT.findall(form))
        return tuple(dict.fromkeys(names))

    def invocation(self, args: Mapping[str, str | int] | None = None) -> str:
        """The action string with the arguments of its slots appended: ``open_agent('auth_agent')``."""
        values = [repr(args[name]) for name in self.slots if args and name in args]
        return f"{self.action}({', '.join(values)})" if values else self.action


PANES: tuple[tuple[str, str], ...] = (
    ("agents", "Agents"),
    ("conflicts", "Conflicts"),
    ("security", "Security"),
    ("metrics", "Metrics"),
)
"""Pane id and title, in tab order (keys 1 to 4)."""


_PANE_WORDS: dict[str, tuple[str, ...]] = {
    "agents": ("agent list",),
    "conflicts": ("conflict matrix",),
    "security": ("show secrets", "secrets", "findings"),
    "metrics": ("stats", "statistics"),
}

SECURITY_COMMANDS: tuple[Command, ...] = tuple(
    Command(
        f"security.{name}",
        title,
        keys,
        action,
        description,
        show_in_footer=footer,
        group="Security",
        scope="security",
    )
    for name, title, keys, action, description, footer in (
        (
            "search",
            "Search findings",
            "slash",
            "start_search",
            "Filter findings by rule, agent or path",
            False,
        ),
        (
            "group",
            "Group findings",
            "g",
            "cycle_grouping",
            "Group by agent, severity, rule, or not at all",
            True,
        ),
        (
            "severity",
            "Severity filter",
            "F",
            "cycle_floor",
            "Show all, medium and above, or high only",
            False,
        ),
        (
            "reveal",
            "Reveal secret",
            "R",
            "toggle_reveal",
            "Show the highlighted secret unmasked (again: mask)",
            True,
        ),
        (
            "editor",
            "Open at line",
            "e",
            "open_in_editor",
            "Open the file in $EDITOR at the finding's line",
            True,
        ),
        (
            "accept",
            "Accept into baseline",
            "b",
            "accept_finding",
            "Record the secret in .cdev/secrets-baseline.json with a reason (clears it in every worktree)",
            True,
        ),
        (
            "history",
            "Scan history",
            "H",
            "scan_history",
            "Scan every commit of the repository for secrets, in the background (again: cancel)",
            False,
        ),
        (
            "allow",
            "Allow rule for path",
            "A",
            "allow_rule",
            "Stop reporting this rule in files matching a glob (recorded with a reason)",
            False,
        ),
    )
)
"""Keys of the Security pane (they work while it has focus)."""

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
            spoken=(f"show {pane}", pane, f"switch to the {pane} pane", *_PANE_WORDS[pane]),
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
        spoken=("search agents", "search", "find an agent"),
    ),
    Command(
        "agents.sort",
        "Sort agents",
        "S",
        "agents('cycle_sort')",
        "Sort by plan order, status, progress or name",
        group="Agents",
        show_in_footer=False,
        spoken=("sort agents", "sort", "change the sort order"),
    ),
    Command(
        "agents.filter",
        "Filter agents",
        "F",
        "agents('cycle_filter')",
        "Show all, only active, or only agents that need attention",
        group="Agents",
        show_in_footer=False,
        spoken=("filter agents", "filter", "change the filter"),
    ),
    Command(
        "agents.next",
        "Next agent",
        "",
        "agents('select_next')",
        "Move the agent cursor down one row",
        group="Agents",
        show_in_footer=False,
        spoken=("next agent", "next", "down"),
    ),
    Command(
        "agents.previous",
        "Previous agent",
        "",
        "agents('select_previous')",
        "Move the agent cursor up one row",
        group="Agents",
        show_in_footer=False,
        spoken=("previous agent", "previous", "up"),
    ),
    Command(
        "agent.open",
        "Open an agent",
        "",
        "open_agent",
        "Select the named agent and show its details",
        group="Agents",
        show_in_footer=False,
        spoken=("open agent {agent}", "open the {agent} agent", "show agent {agent}"),
    ),
    *(
        Command(
            f"agent.{name}",
            title,
            keys,
            f"agent('{name}')",
            description,
            show_in_footer=False,
            group="Agent",
            spoken=spoken,
            destructive=destructive,
        )
        for name, title, keys, description, spoken, destructive in (
            (
                "checklist",
                "Edit checklist",
                "t",
                "Tick or untick the highlighted agent's checklist items",
                ("edit checklist", "checklist", "edit the checklist"),
                False,
            ),
            (
                "complete",
                "Mark complete",
                "X",
                "Tick every item and create the COMPLETED marker",
                ("mark complete", "mark it complete", "mark as done"),
                True,
            ),
            (
                "commit",
                "Commit agent work",
                "c",
                "Commit the worktree with a generated message (checklist gate)",
                ("commit", "commit agent work", "commit the work"),
                True,
            ),
            (
                "editor",
                "Open in editor",
                "e",
                "Open the worktree in $EDITOR",
                ("open in editor", "editor"),
                False,
            ),
            (
                "shell",
                "Open a shell",
                "o",
                "Open a shell in the worktree",
                ("open a shell", "terminal"),
                False,
            ),
            (
                "agent",
                "Run the agent",
                "a",
                "Run the configured agent command (e.g. claude) in the worktree",
                ("run the agent", "start the agent"),
                False,
            ),
            (
                "remove",
                "Remove worktree",
                "D",
                "Remove the agent's worktree (the branch stays)",
                ("remove worktree", "remove the worktree", "delete the worktree"),
                True,
            ),
            (
                "delete-branch",
                "Delete merged branch",
                "B",
                "Delete the agent's branch once it is merged",
                ("delete merged branch", "delete the branch"),
                True,
            ),
            (
                "prune",
                "Prune worktrees",
                "P",
                "Forget worktrees whose folders are gone",
                ("prune worktrees", "prune"),
                False,
            ),
            (
                "resolve",
                "Resolve conflicts",
                "m",
                "Open the merge editor on the agent's worktree (merge, rebase or stash conflict)",
                ("resolve conflicts", "resolve", "open the merge editor"),
                False,
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
        spoken=("plan", "show the plan", "plan a task"),
    ),
    Command(
        "integrate.open",
        "Integrate",
        "i",
        "integrate",
        "Pre-flight, merge finished agents into a new branch, test, finish",
        group="Workflow",
        spoken=("integrate", "integration", "start the integration"),
        destructive=True,
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
            spoken=spoken,
            destructive=destructive,
        )
        for name, title, keys, action, description, footer, spoken, destructive in (
            (
                "ours",
                "Take ours",
                "o",
                "pick('ours')",
                "Resolve the hunk with our side (or take our file)",
                True,
                ("take ours", "ours", "use ours", "keep ours", "our side"),
                False,
            ),
            (
                "theirs",
                "Take theirs",
                "t",
                "pick('theirs')",
                "Resolve the hunk with their side",
                True,
                ("take theirs", "theirs", "use theirs", "keep theirs", "their side"),
                False,
            ),
            (
                "both",
                "Take both",
                "b",
                "pick('both')",
                "Ours, then theirs",
                True,
                ("keep both", "take both", "both", "use both"),
                False,
            ),
            (
                "both-reversed",
                "Take both, theirs first",
                "B",
                "pick('both-reversed')",
                "Theirs, then ours",
                False,
                ("take both theirs first", "theirs then ours", "both reversed"),
                False,
            ),
            (
                "base",
                "Take the base",
                "s",
                "pick('base')",
                "The common ancestor's text (drops both changes)",
                False,
                ("take the base", "base", "use the base"),
                False,
            ),
            (
                "accept",
                "Accept suggestion",
                "a",
                "accept",
                "Resolve the hunk with its best suggestion",
                True,
                ("accept suggestion", "accept", "take the suggestion"),
                False,
            ),
            (
                "accept-safe",
                "Accept safe suggestions",
                "A",
                "accept_safe",
                "Every trivial, structural or learned suggestion of this file",
                True,
                ("accept safe suggestions", "accept all safe suggestions", "accept safe"),
                False,
            ),
            (
                "edit",
                "Edit hunk",
                "e",
                "edit",
                "Write the hunk's result yourself",
                True,
                ("edit hunk", "edit", "edit this hunk"),
                False,
            ),
            (
                "external",
                "Edit in $EDITOR",
                "E",
                "external_edit",
                "Edit the hunk (or the file) in $EDITOR",
                False,
                ("edit in editor", "open in editor", "external editor"),
                False,
            ),
            (
                "llm",
                "Ask the LLM",
                "l",
                "ask_llm",
                "A suggestion from the configured LLM (secrets redacted)",
                False,
                ("ask the llm", "ask the ai", "ai suggestion"),
                False,
            ),
            (
                "next",
                "Next hunk",
                "n",
                "move(1)",
                "Go to the next hunk (across files)",
                False,
                ("next hunk", "next", "next conflict"),
                False,
            ),
            (
                "previous",
                "Previous hunk",
                "N",
                "move(-1)",
                "Go to the previous hunk",
                False,
                ("previous hunk", "previous", "previous conflict"),
                False,
            ),
            (
                "goto",
                "Go to hunk",
                "",
                "goto_hunk",
                "Go to the hunk with that number (across files)",
                False,
                ("go to hunk {number}", "hunk {number}", "conflict {number}"),
                False,
            ),
            (
                "next-file",
                "Next file",
                "right_square_bracket",
                "move_file(1)",
                "Go to the next file",
                False,
                ("next file",),
                False,
            ),
            (
                "previous-file",
                "Previous file",
                "left_square_bracket",
                "move_file(-1)",
                "Go to the previous file",
                False,
                ("previous file",),
                False,
            ),
            (
                "clear",
                "Undo this hunk's choice",
                "x",
                "clear",
                "Show the hunk's conflict again",
                False,
                ("clear", "clear this hunk", "reset the hunk"),
                False,
            ),
            ("undo", "Undo", "u", "undo", "Take back the last change", True, ("undo", "undo that"), False),
            ("redo", "Redo", "ctrl+r", "redo", "Make the last undone change again", False, ("redo",), False),
            (
                "keep",
                "Keep the file",
                "k",
                "file_action('keep')",
                "For a modify/delete or rename conflict",
                False,
                ("keep the file", "keep file"),
                False,
            ),
            (
                "delete",
                "Delete the file",
                "d",
                "file_action('delete')",
                "For a modify/delete or rename conflict",
                False,
                ("delete the file", "delete file"),
                False,
            ),
            (
                "write",
                "Write file",
                "w",
                "write",
                "Write the file and stage it (asks while markers remain)",
                True,
                ("write file", "write", "save", "save the file"),
                False,
            ),
            (
                "conclude",
                "Conclude",
                "c",
                "conclude",
                "Commit the merge (or continue the rebase) once every file is written",
                True,
                ("conclude", "conclude the merge", "commit the merge", "finish the merge"),
                True,
            ),
            (
                "abort",
                "Abort merge",
                "ctrl+a",
                "abort",
                "Back to exactly the state before the merge (asks first)",
                True,
                ("abort merge", "abort", "abort the merge"),
                True,
            ),
            (
                "restore",
                "Restore the original",
                "R",
                "restore",
                "Put a written file back to its conflicted original",
                False,
                ("restore the original", "restore"),
                True,
            ),
            (
                "forget",
                "Forget the learned resolution",
                "F",
                "forget",
                "Stop offering what was learned for this hunk",
                False,
                ("forget the learned resolution", "forget"),
                True,
            ),
            (
                "close",
                "Close the editor",
                "escape,q",
                "close",
                "Leave (asks when choices are not written)",
                True,
                ("close the editor", "close", "leave the editor"),
                False,
            ),
        )
    ),
    Command(
        "app.refresh",
        "Refresh",
        "r",
        "refresh_workspace",
        "Re-read every agent from disk and git",
        spoken=("refresh", "reload"),
    ),
    Command(
        "app.rescan",
        "Rescan secrets",
        "s",
        "rescan",
        "Run the secret scan again over every worktree",
        spoken=("rescan", "rescan secrets", "scan for secrets", "secret scan"),
    ),
    Command(
        "app.help",
        "Help",
        "question_mark",
        "help",
        "Show every key and command",
        spoken=("help", "show help", "what can I say"),
    ),
    Command(
        "app.cancel",
        "Cancel",
        "",
        "simulate_key('escape')",
        "Close the dialog or screen on top (escape)",
        show_in_footer=False,
        spoken=("cancel", "never mind", "close", "go back"),
    ),
    Command("app.quit", "Quit", "q", "quit", "Leave cdev-tui", spoken=("quit", "exit"), destructive=True),
    Command(
        "voice.listen",
        "Voice command",
        "v",
        "voice_listen",
        "Speak a command: press, speak, and it ends by itself after a short silence (press again to stop)",
        group="Voice",
    ),
    Command(
        "voice.status",
        "Spoken status",
        "",
        "voice_status",
        "Hear how the agents are doing, what is blocked, or how one agent is",
        show_in_footer=False,
        group="Voice",
        spoken=(
            "status",
            "what's the status",
            "what's blocked",
            "how is {agent}",
            "how is {agent} doing",
            "how is it going",
        ),
    ),
    Command(
        "voice.mute",
        "Mute spoken answers",
        "M",
        "voice_mute",
        "Turn spoken answers off or on again",
        show_in_footer=False,
        group="Voice",
        spoken=("mute", "unmute", "be quiet", "stop talking"),
    ),
    Command(
        "voice.choose",
        "Choose an alternative",
        "",
        "voice_choose",
        "Pick alternative one, two or three while voice shows them",
        show_in_footer=False,
        group="Voice",
        spoken=("{number}", "number {number}", "option {number}", "choose {number}"),
    ),
    *SECURITY_COMMANDS,
)


def scoped(scope: str, *, keyless: bool = False) -> tuple[Command, ...]:
    """The commands of one scope that have keys; ``keyless=True`` adds the voice-only ones."""
    return tuple(c for c in COMMANDS if c.scope == scope and (keyless or c.keys))


def command_by_id(command_id: str) -> Command:
    """Look up a command; raises KeyError for an unknown id."""
    for command in COMMANDS:
        if command.id == command_id:
            return command
    raise KeyError(command_id)
