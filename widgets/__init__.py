"""Reusable Textual widgets of cdev-tui."""
