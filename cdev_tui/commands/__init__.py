"""The command registry: one list of commands that feeds key bindings, the command palette and voice.

What a command is lives in :mod:`.model`; the keys of the merge editor and of the Security pane in modules of
their own; the app-wide commands (panes, agents, workflow, voice) are listed here, in the order help shows.
"""

from __future__ import annotations

from cdev_tui.commands.merge_editor import MERGE_EDITOR_COMMANDS
from cdev_tui.commands.metrics import METRICS_COMMANDS
from cdev_tui.commands.model import _PANE_WORDS, PANES, SLOT, Command
from cdev_tui.commands.security import SECURITY_COMMANDS

__all__ = ["COMMANDS", "PANES", "SLOT", "Command", "command_by_id", "scoped"]

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
                "Start the agent's program",
                "a",
                "Start its program (claude, codex, … from the profiles) in its own tmux session, with a first "
                "prompt from its files",
                ("run the agent", "start the agent", "start the program"),
                False,
            ),
            (
                "prompt",
                "Prompt the agent",
                "greater_than_sign",
                "Type a line (and Enter) into the highlighted agent's program, or into every marked agent's",
                ("prompt the agent", "send a prompt", "tell the agent"),
                False,
            ),
            (
                "answer-yes",
                "Answer yes",
                "y",
                "Answer yes to the question the waiting agent asks (asks first when it is destructive)",
                ("answer yes", "approve", "allow it"),
                False,
            ),
            (
                "answer-no",
                "Answer no",
                "n",
                "Answer no to the question the waiting agent asks",
                ("answer no", "deny", "decline"),
                False,
            ),
            (
                "mark",
                "Mark for broadcast",
                "space",
                "Mark or unmark the highlighted agent: > then prompts every marked agent",
                ("mark the agent", "mark agent"),
                False,
            ),
            (
                "attach",
                "Attach to its session",
                "T",
                "Attach the terminal to the agent's program session (enter on the row; detach with the tmux "
                "prefix, then d)",
                ("attach", "attach to the agent", "open the session"),
                False,
            ),
            (
                "session-stop",
                "Stop the agent's program",
                "K",
                "End the agent's program and its tmux session",
                ("stop the agent", "stop the program", "kill the session"),
                True,
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
    *MERGE_EDITOR_COMMANDS,
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
        "app.alerts",
        "Alerts",
        "exclamation_mark",
        "alerts",
        "List the alerts firing now and acknowledge them",
        show_in_footer=False,
        spoken=("show alerts", "alerts", "list the alerts"),
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
    *METRICS_COMMANDS,
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
