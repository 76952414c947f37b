"""Intent matching: a transcript ("show me the conflicts") to a command of the registry, or nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from cdev_tui.commands import COMMANDS, Command

_FILLER = frozenset(
    {"please", "the", "a", "an", "me", "to", "go", "open", "switch", "can", "you", "now", "pane", "tab"}
)
_SYNONYMS = {"secrets": "security", "secret": "security", "stats": "metrics", "conflict": "conflicts"}


@dataclass(frozen=True)
class Intent:
    """The command a transcript most likely means, and how sure the match is (0..1)."""

    command: Command
    score: float
    transcript: str


def normalise(text: str) -> str:
    """Lower-case words without punctuation, filler words or plural/synonym differences."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(_SYNONYMS.get(w, w) for w in words if w not in _FILLER)


def phrases(command: Command) -> list[str]:
    """What a user might say for ``command``: its title, and its title without the verb."""
    title = normalise(command.title)
    short = " ".join(title.split()[1:])
    return [p for p in {title, short} if p]


def match_intent(
    transcript: str, commands: Sequence[Command] = COMMANDS, threshold: float = 0.75
) -> Intent | None:
    """The best-matching command for a transcript, or None when nothing is close enough."""
    said = normalise(transcript)
    if not said:
        return None
    best: Intent | None = None
    for command in commands:
        for phrase in phrases(command):
            score = SequenceMatcher(None, said, phrase).ratio()
            if phrase in said.split() or phrase == said:
                score = max(score, 0.95)
            if best is None or score > best.score:
                best = Intent(command, score, transcript)
    return best if best is not None and best.score >= threshold else None


def vocabulary(commands: Sequence[Command] = COMMANDS) -> str:
    """The command phrases as one prompt, which makes a speech model far more accurate on them."""
    return ", ".join(command.title for command in commands) + "."
