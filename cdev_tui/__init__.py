"""cdev-tui: one terminal dashboard for parallel AI coding agents working in git worktrees."""

__version__ = "0.1.0"
