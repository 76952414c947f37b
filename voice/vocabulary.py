"""Whisper's prompt and hotwords for the commands of a context: what makes the speech model right on them."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import cycle

from cdev_tui.commands import COMMANDS, PANES, Command
from cdev_tui.voice.intents import NO_CONTEXT, VoiceContext, commands_of
from cdev_tui.voice.wording import agent_aliases

_SAY_NUMBER = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _tokens(phrase: str) -> int:
    """About how many Whisper tokens a phrase and its comma take."""
    return 1 + sum(1 + len(word) // 6 for word in phrase.split())


def _names(context: VoiceContext) -> list[str]:
    return [agent_aliases(agent)[0] for agent in context.agents]


def vocabulary(context: VoiceContext = NO_CONTEXT, commands: Sequence[Command] = COMMANDS) -> str:
    """Whisper's ``initial_prompt``: spoken forms with the live agent names, comma-separated, ~200 tokens.

    The most useful phrases come last (Whisper cuts a long prompt from the front, and the nearest text
    weighs most): the alternatives' numbers, then each agent's name, then the forms of the screen in front.
    """
    names = _names(context)
    turns = cycle(names)
    in_front = sorted(commands_of(tuple(commands), context), key=lambda c: c.scope != context.scope)
    forms = [[f for f in c.spoken if names or "{agent}" not in f] for c in in_front]
    phrases = list(_SAY_NUMBER[: context.choosing])
    first = next((f for group in forms for f in group if "{agent}" in f), "")
    phrases += [first.replace("{agent}", name) for name in names]
    for level in range(max(map(len, forms), default=0)):
        for form in (group[level] for group in forms if level < len(group)):
            if "{agent}" in form:
                form = form.replace("{agent}", next(turns))
            phrases.append(form.format(pane="conflicts", number="three"))
    kept: list[str] = []
    used = 0
    for phrase in dict.fromkeys(phrases):
        if used + _tokens(phrase) > 200:
            break
        kept.append(phrase)
        used += _tokens(phrase)
    return ", ".join(reversed(kept)) + "."


def hotwords(context: VoiceContext = NO_CONTEXT) -> str:
    """The distinctive words to boost: agent names, pane names, and the merge words in the merge editor."""
    words = [*_names(context), *(pane for pane, _ in PANES)]
    if context.scope == "merge-editor":
        words += ["hunk", "ours", "theirs", "both"]
    return ", ".join(dict.fromkeys(words))
