"""Keys of the Security pane."""

from __future__ import annotations

from cdev_tui.commands.model import Command, pane_commands

SECURITY_COMMANDS: tuple[Command, ...] = pane_commands(
    "security",
    "Security",
    (
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
    ),
)
"""Keys of the Security pane (they work while it has focus)."""
