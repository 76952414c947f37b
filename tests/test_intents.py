"""Transcripts map to commands of the one registry, and near-misses do not."""

from __future__ import annotations

import pytest

from cdev_tui.voice.intents import match_intent, vocabulary


@pytest.mark.parametrize(
    ("said", "command_id"),
    [
        ("Show conflicts.", "pane.conflicts"),
        ("show me the conflicts please", "pane.conflicts"),
        ("Open secrets", "pane.security"),
        ("metrics", "pane.metrics"),
        ("Show agents", "pane.agents"),
        ("refresh", "app.refresh"),
        ("Rescan secrets!", "app.rescan"),
        ("help", "app.help"),
    ],
)
def test_transcripts_match_commands(said: str, command_id: str) -> None:
    intent = match_intent(said)
    assert intent is not None and intent.command.id == command_id


@pytest.mark.parametrize("said", ["", "uh", "what is the weather like", "delete everything"])
def test_unrelated_speech_matches_nothing(said: str) -> None:
    assert match_intent(said) is None


def test_vocabulary_names_every_command() -> None:
    text = vocabulary()
    for title in ("Show Agents", "Show Conflicts", "Refresh", "Quit"):
        assert title in text
