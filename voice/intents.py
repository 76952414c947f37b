"""Intent matching: a transcript ("open the cart agent") to a command of the registry with typed arguments.

Layers, cheapest first: the text is normalised the way Whisper writes it; the grammar (every spoken form of
the registry, compiled to a pattern whose slots take the live agent names) gives exact hits; rapidfuzz and
jellyfish phonetic keys score near-misses against the expanded forms; below the threshold an optional LLM
may name a command, and only an id of the registry counts. Pure and Textual-free.

Fuzzy scorers: ``fuzz.ratio`` (length-sensitive, so "next agent" and "next hunk" stay apart) and
``fuzz.token_sort_ratio`` (word order: "conflicts show"). ``token_set_ratio``, ``partial_ratio`` and
``WRatio`` score a phrase that contains another at 100 ("agent" in "next agent"), which on two-word commands
turns every subset into a tie, so they are not used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz, process

from cdev_tui.commands import COMMANDS, PANES, SLOT, Command
from cdev_tui.voice.wording import SLOT_NUMBERS, agent_aliases, normalise

LlmFallback = Callable[[str, list[str]], str | None]

CHOOSE = "voice.choose"
"""The one command that only exists while alternatives are on screen."""
THRESHOLD = 0.78
GRAMMAR = 0.97
FUZZY_CEILING = 0.94
PHONETIC_WEIGHT = 0.9
SLOT_FLOOR = 0.8
ALTERNATIVE_FLOOR = 0.5
SCOPE_BONUS = 0.03


@dataclass(frozen=True)
class VoiceContext:
    """What is on screen: live agent ids, the screen in front, how many alternatives are shown (0: none)."""

    agents: tuple[str, ...] = ()
    scope: str = "app"
    choosing: int = 0


NO_CONTEXT = VoiceContext()
"""No agents, the app's own screen, no alternatives shown."""


@dataclass(frozen=True)
class Match:
    """The command a transcript means (``None``: no command), its arguments and a confidence (0..1).

    With a command, ``alternatives`` are the next best distinct matches (up to three in all); without one,
    ``confidence`` is how close the nearest candidate came and ``alternatives`` the best candidates.
    """

    command_id: str | None
    args: dict[str, str | int]
    confidence: float
    heard: str
    alternatives: tuple[Match, ...] = ()


def _agent_values(agents: Sequence[str]) -> dict[str, str]:
    """Alias → agent id, without aliases two agents share."""
    owners: dict[str, set[str]] = {}
    for agent in agents:
        for alias in agent_aliases(agent):
            owners.setdefault(alias, set()).add(agent)
    return {alias: next(iter(ids)) for alias, ids in owners.items() if len(ids) == 1}


def _pane_values() -> dict[str, str]:
    return {alias: pane for pane, title in PANES for alias in (pane, title.lower())}


@lru_cache(maxsize=4096)
def _keys(phrase: str) -> frozenset[str]:
    """Phonetic keys of a phrase: metaphone (th as t and as f) and NYSIIS, vowel-initial folded."""
    words = phrase.split()
    meta = "".join(jellyfish.metaphone(w) for w in words)
    nysiis = "".join(jellyfish.nysiis(w) for w in words).replace("D", "T")
    keys = {meta.replace("0", "T"), meta.replace("0", "F"), nysiis}
    return frozenset(re.sub(r"^[AEIOU]", "A", key) for key in keys if key)


def _similarity(said: str, alias: str) -> float:
    """How alike two names look or sound (0..1)."""
    spelled = fuzz.ratio(said.replace(" ", ""), alias.replace(" ", ""))
    sound = max((fuzz.ratio(a, b) for a in _keys(said) for b in _keys(alias)), default=0.0)
    return max(spelled, PHONETIC_WEIGHT * sound) / 100


def _resolve(said: str, values: Mapping[str, str], *, soft: bool) -> tuple[str, float] | None:
    """The value a slot's words name, exactly or (``soft``) by the closest look or sound."""
    if said in values:
        return values[said], 1.0
    if not soft or not values:
        return None
    score, alias = max((_similarity(said, alias), alias) for alias in values)
    return (values[alias], score) if score >= SLOT_FLOOR else None


def _number(said: str) -> int:
    return SLOT_NUMBERS[said] if said in SLOT_NUMBERS else int(said)


def _number_fits(command: Command, number: int, context: VoiceContext) -> bool:
    return number >= 1 and (command.id != CHOOSE or number <= context.choosing)


# -- the table of one context --------------------------------------------------------------------------

_SLOT_PATTERN = {"number": r"\d+|to|too|for|won", "agent": r"[a-z0-9]+(?: [a-z0-9]+){0,3}"}
_SLOT_PATTERN["pane"] = _SLOT_PATTERN["agent"]


@dataclass(frozen=True)
class _Form:
    command: Command
    pattern: re.Pattern[str]
    literal: bool
    """The form has words besides its slots, so a slot may be filled by a near name."""


@dataclass(frozen=True)
class _Table:
    context: VoiceContext
    commands: tuple[Command, ...]
    forms: tuple[_Form, ...]
    values: Mapping[str, Mapping[str, str]]
    choices: tuple[str, ...]
    sounds: tuple[str, ...]
    targets: tuple[tuple[Command, Mapping[str, str]], ...]
    names: tuple[tuple[str, ...], ...]
    """The shortest alias of each agent or pane a choice was filled with: what must be heard."""
    numbered: tuple[bool, ...]


def _eligible(command: Command, context: VoiceContext) -> bool:
    """Commands of the screen in front and app-wide ones; choosing only while alternatives are shown."""
    return command.scope in ("app", context.scope) and (command.id != CHOOSE or context.choosing > 0)


def _compile(command: Command, form: str) -> _Form:
    words = normalise(form).split()
    parts = [
        f"(?P<{token[1:-1]}>{_SLOT_PATTERN[token[1:-1]]})" if SLOT.fullmatch(token) else re.escape(token)
        for token in words
    ]
    literal = any(not SLOT.fullmatch(token) for token in words)
    return _Form(command, re.compile(" ".join(parts)), literal)


_Row = tuple[str, dict[str, str], tuple[str, ...]]


def _expand(form: str, values: Mapping[str, Mapping[str, str]]) -> list[_Row]:
    """A normalised form with its slots filled every way (``{number}`` as ``#``), and the shortest names."""
    expanded: list[_Row] = [(normalise(form).replace("{number}", "#"), {}, ())]
    for slot in ("agent", "pane"):
        token = "{" + slot + "}"
        if expanded and token in expanded[0][0]:
            shortest = {v: a for a, v in sorted(values[slot].items(), key=lambda item: -len(item[0]))}
            expanded = [
                (text.replace(token, alias), {**args, slot: value}, (*names, shortest[value]))
                for text, args, names in expanded
                for alias, value in values[slot].items()
            ]
    return expanded


def _sound(phrase: str) -> str:
    """A phrase as metaphone words, so "take stairs" lands near "take theirs"."""
    codes = (jellyfish.metaphone(w).replace("0", "T") if w.isalpha() else w for w in phrase.split())
    return " ".join(re.sub(r"^[AEIOU]", "A", code) for code in codes)


def commands_of(commands: tuple[Command, ...], context: VoiceContext) -> tuple[Command, ...]:
    """The commands that can be said in ``context`` (see :func:`_eligible`)."""
    return tuple(c for c in commands if _eligible(c, context))


@lru_cache(maxsize=32)
def _table(commands: tuple[Command, ...], context: VoiceContext) -> _Table:
    """Everything matching needs for one context, compiled once."""
    eligible = tuple(c for c in commands if _eligible(c, context))
    values = {"agent": _agent_values(context.agents), "pane": _pane_values()}
    forms = tuple(_compile(c, form) for c in eligible for form in c.spoken)
    rows = {
        (text, c.id, tuple(args.items())): (text, c, args, names)
        for c in eligible
        for form in c.spoken
        for text, args, names in _expand(form, values)
    }
    unique = list(rows.values())
    return _Table(
        context=context,
        commands=eligible,
        forms=forms,
        values=values,
        choices=tuple(row[0] for row in unique),
        sounds=tuple(_sound(row[0]) for row in unique),
        targets=tuple((row[1], row[2]) for row in unique),
        names=tuple(row[3] for row in unique),
        numbered=tuple("#" in row[0].split() for row in unique),
    )


# -- matching ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    command: Command
    args: Mapping[str, str | int]
    confidence: float

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str | int], ...]]:
        return self.command.id, tuple(sorted(self.args.items()))


def _grammar(said: str, table: _Table) -> list[_Candidate]:
    """Exact hits of the spoken forms; a slot filled by a near name scores by how near it is."""
    found = []
    for form in table.forms:
        hit = form.pattern.fullmatch(said)
        if hit is None:
            continue
        args: dict[str, str | int] = {}
        score = 1.0
        for slot, words in hit.groupdict().items():
            if slot == "number":
                args[slot] = _number(words)
                if not _number_fits(form.command, args[slot], table.context):
                    break
                continue
            resolved = _resolve(words, table.values[slot], soft=form.literal)
            if resolved is None:
                break
            args[slot], similarity = resolved
            score = min(score, similarity)
        else:
            found.append(_Candidate(form.command, args, GRAMMAR * score))
    return found


def _fuzzy(said: str, table: _Table) -> list[_Candidate]:
    """Near-misses by spelling and by sound against every expanded form."""
    query = re.sub(r"\b\d+\b", "#", said)
    digits = re.findall(r"\b\d+\b", said)
    scores: dict[int, float] = {}
    passes = (
        (query, table.choices, fuzz.ratio, 1.0),
        (query, table.choices, fuzz.token_sort_ratio, 1.0),
        (_sound(query), table.sounds, fuzz.ratio, PHONETIC_WEIGHT),
    )
    for text, choices, scorer, weight in passes:
        for _, score, index in process.extract(text, choices, scorer=scorer, limit=None, score_cutoff=45):
            scores[index] = max(scores.get(index, 0.0), weight * score)
    found = []
    for index, score in scores.items():
        command, args = table.targets[index]
        filled: dict[str, str | int] = dict(args)
        if table.numbered[index]:
            if not digits or not _number_fits(command, int(digits[0]), table.context):
                continue
            filled["number"] = int(digits[0])
        heard = min((_presence(said, name) for name in table.names[index]), default=1.0)
        found.append(_Candidate(command, filled, FUZZY_CEILING * min(score / 100, heard)))
    return found


@lru_cache(maxsize=4096)
def _presence(said: str, name: str) -> float:
    """How clearly a name was said somewhere in the transcript (its closest run of words)."""
    words = said.split()
    size = len(name.split())
    runs = {" ".join(words[i : i + n]) for n in (size, size + 1) for i in range(len(words) - n + 1)}
    return max((_similarity(run, name) for run in runs), default=0.0)


def _rank(candidates: list[_Candidate], context: VoiceContext) -> list[_Candidate]:
    """Best first, one per command and arguments; the screen in front breaks near ties."""
    best: dict[tuple, _Candidate] = {}
    for candidate in candidates:
        if candidate.key not in best or candidate.confidence > best[candidate.key].confidence:
            best[candidate.key] = candidate

    def rank(candidate: _Candidate) -> float:
        in_front = context.scope != "app" and candidate.command.scope == context.scope
        return candidate.confidence + (SCOPE_BONUS if in_front else 0.0)

    return sorted(best.values(), key=rank, reverse=True)


def _required(command: Command) -> set[str]:
    """Slots every spoken form of the command has."""
    return set.intersection(*(set(SLOT.findall(f)) for f in command.spoken)) if command.spoken else set()


def _ask_llm(
    llm: LlmFallback, heard: str, table: _Table, near: list[_Candidate], threshold: float
) -> _Candidate | None:
    """The LLM's pick, only when it is a command of this context whose arguments are known."""
    ids = list(dict.fromkeys([c.command.id for c in near] + [c.id for c in table.commands]))
    try:
        answer = llm(heard, ids)
    except Exception:
        return None
    if not isinstance(answer, str) or answer.strip() not in ids:
        return None
    picked = next((c for c in near if c.command.id == answer.strip()), None)
    if picked is not None:
        return _Candidate(picked.command, picked.args, threshold)
    command = next(c for c in table.commands if c.id == answer.strip())
    return None if _required(command) else _Candidate(command, {}, threshold)


def _as_match(candidate: _Candidate, heard: str, alternatives: Sequence[_Candidate] = ()) -> Match:
    return Match(
        candidate.command.id,
        dict(candidate.args),
        round(candidate.confidence, 3),
        heard,
        tuple(_as_match(a, heard) for a in alternatives),
    )


def match(
    text: str,
    context: VoiceContext = VoiceContext(),
    *,
    commands: Sequence[Command] = COMMANDS,
    threshold: float = THRESHOLD,
    llm_fallback: LlmFallback | None = None,
) -> Match:
    """The command a transcript means in ``context``, with its arguments, or ``command_id=None``."""
    heard = text.strip()
    said = normalise(text)
    if not said:
        return Match(None, {}, 0.0, heard)
    table = _table(tuple(commands), context)
    ranked = _rank(_grammar(said, table) + _fuzzy(said, table), context)
    near = [c for c in ranked if c.confidence >= ALTERNATIVE_FLOOR]
    if ranked and ranked[0].confidence >= threshold:
        return _as_match(ranked[0], heard, near[1:3])
    picked = _ask_llm(llm_fallback, heard, table, near, threshold) if llm_fallback else None
    if picked is not None:
        return _as_match(picked, heard, [c for c in near if c.key != picked.key][:2])
    nearest = ranked[0].confidence if ranked else 0.0
    return Match(None, {}, round(nearest, 3), heard, tuple(_as_match(c, heard) for c in near[:3]))
