"""Textual screens and panes of cdev-tui."""
