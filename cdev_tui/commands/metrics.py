"""Keys of the Metrics pane: the time range of its plots and the replay of past moments."""

from __future__ import annotations

from cdev_tui.commands.model import Command, pane_commands

METRICS_COMMANDS: tuple[Command, ...] = pane_commands(
    "metrics",
    "Metrics",
    (
        (
            "range-previous",
            "Shorter range",
            "left_square_bracket",
            "cycle_range(-1)",
            "Plot a shorter time range (1h, 6h, 24h, 7d, 30d, all)",
            True,
        ),
        (
            "range-next",
            "Longer range",
            "right_square_bracket",
            "cycle_range(1)",
            "Plot a longer time range (1h, 6h, 24h, 7d, 30d, all)",
            True,
        ),
        (
            "earlier",
            "Replay earlier",
            "comma",
            "replay_step(-1)",
            "Replay: show the agents one recorded moment earlier",
            True,
        ),
        (
            "later",
            "Replay later",
            "full_stop",
            "replay_step(1)",
            "Replay: show the agents one recorded moment later",
            False,
        ),
        (
            "live",
            "Back to live",
            "L",
            "replay_live",
            "Replay: back to the live state",
            False,
        ),
    ),
)
