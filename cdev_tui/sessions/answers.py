"""The question on a waiting agent's screen and the answers it offers, for answering without attaching.

Two shapes cover the agent CLIs: a numbered menu (``> 1. Yes`` / ``2. Yes, and don't ask again`` / ``3. No``)
and a yes/no prompt (``[y/n]``, ``(y/N)``, ``(Y)es/(N)o``). An answer is destructive — it asks to be
confirmed — when it allows something that deletes, forces or stops asking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdev_tui.sessions.state import bottom_of

_MENU_ITEM = re.compile(r"^[\s│|>❯›●○•*]*(\d{1,2})[.)]\s+(.+?)\s*[│|]?\s*$")
_YES_NO = re.compile(r"\[\s*y\s*/\s*n\s*\]|\(\s*y\s*/\s*n\s*\)|\(Y\)es/\(N\)o", re.I)
DESTRUCTIVE = re.compile(
    r"\b(delete|remove|rm\s|drop|force|reset|overwrite|discard|truncate|wipe|kill|push)\b"
    r"|don'?t ask again|do not ask again|always allow|bypass|all edits",
    re.I,
)
"""Words in a question or an answer that make approving it worth a second look."""


@dataclass(frozen=True)
class Choice:
    """One answer: what is typed to give it and what it says."""

    keys: str
    label: str
    destructive: bool = False


@dataclass(frozen=True)
class Question:
    """What a waiting agent asks, and the answers on its screen."""

    text: str
    choices: tuple[Choice, ...]

    def choice(self, keys: str) -> Choice | None:
        """The answer given by typing ``keys`` (``1``, ``y``), if the question offers it."""
        return next((c for c in self.choices if c.keys.lower() == keys.strip().lower()), None)

    def yes(self) -> Choice | None:
        """The plain "yes" answer (the first one that starts with yes, else the first)."""
        return next((c for c in self.choices if c.label.lower().startswith("yes")), None) or (
            self.choices[0] if self.choices else None
        )

    def no(self) -> Choice | None:
        """The "no" answer (the first that starts with no)."""
        return next((c for c in self.choices if c.label.lower().startswith("no")), None)


def read_question(screen: str, lines: int = 14) -> Question | None:
    """The question at the bottom of a screen (ANSI allowed), or None when it shows none."""
    bottom = bottom_of(screen, lines).splitlines()
    menu: list[tuple[int, Choice]] = []
    for index, line in enumerate(bottom):
        match = _MENU_ITEM.match(line)
        if match:
            number, label = match.groups()
            menu.append((index, Choice(number, label)))
    if len(menu) >= 2:
        first = menu[0][0]
        text = next((line.strip(" │|") for line in reversed(bottom[:first]) if line.strip(" │|─")), "")
        return _with_risk(Question(text, tuple(choice for _, choice in menu)))
    for line in reversed(bottom):
        if _YES_NO.search(line):
            text = _YES_NO.sub("", line).strip()
            return _with_risk(Question(text, (Choice("y", "Yes"), Choice("n", "No"))))
    return None


def _with_risk(question: Question) -> Question:
    asks_risk = bool(DESTRUCTIVE.search(question.text))
    choices = []
    for choice in question.choices:
        approves = not choice.label.lower().startswith("no")
        risky = bool(DESTRUCTIVE.search(choice.label)) or (approves and asks_risk)
        choices.append(Choice(choice.keys, choice.label, risky))
    return Question(question.text, tuple(choices))
