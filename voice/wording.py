"""How transcripts and spoken forms are worded for matching: the words that can carry a command, numbers
as digits, no filler, no repeats, no Whisper hallucinations; and how an agent's name is said."""

from __future__ import annotations

import re

_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*")
TOKEN = re.compile(r"\{\w+\}|[a-z]+|[0-9]+")
_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    " seventeen eighteen nineteen"
)
_ORDINAL_WORDS = "zeroth first second third fourth fifth sixth seventh eighth ninth tenth"
_UNITS = {word: value for value, word in enumerate(_UNIT_WORDS.split())}
_ORDINALS = {word: value for value, word in enumerate(_ORDINAL_WORDS.split())}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
SLOT_NUMBERS = {"to": 2, "too": 2, "for": 4, "won": 1}
_CONTRACTIONS = {"whats": "what is", "hows": "how is", "whos": "who is", "wheres": "where is"}
_FILLER_PHRASES = re.compile(
    r"\b(?:can you|could you|would you|will you|i want to|i would like to|id like to|i need to|let me see"
    r"|let me|let us|lets|take me to|go to|switch over to|switch to|jump to|move to|bring up|pull up"
    r"|show me|give me)\b"
)
_FILLER_WORDS = (
    "please the a an um uh uhm er erm hmm hey okay ok so yeah well just now me show open display view see"
    " pane tab panel screen page right alright"
)
_FILLERS = frozenset(_FILLER_WORDS.split())
_HALLUCINATION_TEXT = (
    "you|thank you|thanks|thank you very much|thank you so much|thanks for watching|thank you for watching"
    "|thanks for listening|thank you for listening|subscribe|please subscribe|like and subscribe"
    "|see you next time|see you in the next video|the end|bye|bye bye|goodbye|oh|ah|hello|hi"
)
HALLUCINATIONS = frozenset(_HALLUCINATION_TEXT.split("|"))
"""What Whisper writes for silence and noise (as lower-case words without punctuation)."""


def _join_letters(words: list[str]) -> list[str]:
    """Spelled letters become one word: "l l m" → "llm"."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        out.extend(["".join(run)] if len(run) > 1 else run)
        run = []
        if word:
            out.append(word)
    return out


def _numbers(words: list[str]) -> list[str]:
    """Number words as digits ("twenty one" → "21", "the second one" → "the 2")."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word, after = words[i], words[i + 1] if i + 1 < len(words) else ""
        unit = _UNITS.get(after, 0) if 0 < _UNITS.get(after, 0) < 10 else 0
        if word in _ORDINALS:
            out.append(str(_ORDINALS[word]))
            i += 2 if after == "one" else 1
        elif word in _TENS:
            out.append(str(_TENS[word] + unit))
            i += 2 if unit else 1
        else:
            out.append(str(_UNITS[word]) if word in _UNITS else word)
            i += 1
    return out


def _dedupe(words: list[str]) -> list[str]:
    """A phrase Whisper repeated, said once ("open agent auth open agent auth")."""
    for size in range(1, len(words) // 2 + 1):
        if all(words[i] == words[i % size] for i in range(len(words))):
            return words[:size]
    return words


def word_list(text: str) -> list[str]:
    """Lower-case words, numbers as digits; ``{slot}`` tokens pass through."""
    text = re.sub(r"['’`]", "", _ANNOTATION.sub(" ", text.lower()))
    words = _join_letters(TOKEN.findall(text))
    words = " ".join(_CONTRACTIONS.get(w, w) for w in words).split()
    return _numbers(words)


def normalise(text: str) -> str:
    """The words of a transcript that can carry a command: no punctuation, filler, repeats or hallucinations."""
    said = _FILLER_PHRASES.sub(" ", " ".join(word_list(text)))
    words = _dedupe([w for w in said.split() if w not in _FILLERS])
    said = " ".join(words)
    return "" if said in HALLUCINATIONS else said


# -- slot values ---------------------------------------------------------------------------------------


def agent_aliases(agent_id: str) -> tuple[str, ...]:
    """How an agent may be said: ``SHOP-42-auth_agent`` → ``auth``, ``auth agent``, ``shop 42 auth agent``."""
    full = word_list(agent_id)
    task = re.match(r"[A-Za-z]+-\d+-", agent_id)
    words = word_list(agent_id[task.end() :]) if task else full
    core = words[:]
    if len(core) > 1 and core[-1] in ("agent", "agents"):
        core.pop()
    if len(core) > 1 and core[0] == "agent":
        core.pop(0)
    last = core[-1:] if len(core) > 1 and core[-1].isalpha() else []
    return tuple(dict.fromkeys(" ".join(w) for w in (core, words, full, last) if w))
