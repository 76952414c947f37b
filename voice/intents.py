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
from itertools import cycle

import jellyfish
from rapidfuzz import fuzz, process

from cdev_tui.commands import COMMANDS, PANES, SLOT, Command

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


# -- normalisation -------------------------------------------------------------------------------------

_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*")
_TOKEN = re.compile(r"\{\w+\}|[a-z]+|[0-9]+")
_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    " seventeen eighteen nineteen"
)
_ORDINAL_WORDS = "zeroth first second third fourth fifth sixth seventh eighth ninth tenth"
_UNITS = {word: value for value, word in enumerate(_UNIT_WORDS.split())}
_ORDINALS = {word: value for value, word in enumerate(_ORDINAL_WORDS.split())}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_SLOT_NUMBERS = {"to": 2, "too": 2, "for": 4, "won": 1}
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
    "|subscribe|bye|bye bye|goodbye|oh|ah|hello|hi"
)
_HALLUCINATIONS = frozenset(_HALLUCINATION_TEXT.split("|"))
"""What Whisper writes for silence and noise."""


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


def _words(text: str) -> list[str]:
    """Lower-case words, numbers as digits; ``{slot}`` tokens pass through."""
    text = re.sub(r"['’`]", "", _ANNOTATION.sub(" ", text.lower()))
    words = _join_letters(_TOKEN.findall(text))
    words = " ".join(_CONTRACTIONS.get(w, w) for w in words).split()
    return _numbers(words)


def normalise(text: str) -> str:
    """The words of a transcript that can carry a command: no punctuation, filler, repeats or hallucinations."""
    said = _FILLER_PHRASES.sub(" ", " ".join(_words(text)))
    words = _dedupe([w for w in said.split() if w not in _FILLERS])
    said = " ".join(words)
    return "" if said in _HALLUCINATIONS else said


# -- slot values ---------------------------------------------------------------------------------------


def agent_aliases(agent_id: str) -> tuple[str, ...]:
    """How an agent may be said: ``SHOP-42-auth_agent`` → ``auth``, ``auth agent``, ``shop 42 auth agent``."""
    full = _words(agent_id)
    task = re.match(r"[A-Za-z]+-\d+-", agent_id)
    words = _words(agent_id[task.end() :]) if task else full
    core = words[:]
    if len(core) > 1 and core[-1] in ("agent", "agents"):
        core.pop()
    if len(core) > 1 and core[0] == "agent":
        core.pop(0)
    last = core[-1:] if len(core) > 1 and core[-1].isalpha() else []
    return tuple(dict.fromkeys(" ".join(w) for w in (core, words, full, last) if w))


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
    return _SLOT_NUMBERS[said] if said in _SLOT_NUMBERS else int(said)


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


# -- the speech model's prompt -------------------------------------------------------------------------

_SAY_NUMBER = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _tokens(phrase: str) -> int:
    """About how many Whisper tokens a phrase and its comma take."""
    return 1 + sum(1 + len(word) // 6 for word in phrase.split())


def _names(context: VoiceContext) -> list[str]:
    return [agent_aliases(agent)[0] for agent in context.agents]


def vocabulary(context: VoiceContext = VoiceContext(), commands: Sequence[Command] = COMMANDS) -> str:
    """Whisper's ``initial_prompt``: spoken forms with the live agent names, comma-separated, ~200 tokens.

    The most useful phrases come last (Whisper cuts a long prompt from the front, and the nearest text
    weighs most): the alternatives' numbers, then each agent's name, then the forms of the screen in front.
    """
    table = _table(tuple(commands), context)
    names = _names(context)
    turns = cycle(names)
    in_front = sorted(table.commands, key=lambda c: c.scope != context.scope)
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


def hotwords(context: VoiceContext = VoiceContext()) -> str:
    """The distinctive words to boost: agent names, pane names, and the merge words in the merge editor."""
    words = [*_names(context), *(pane for pane, _ in PANES)]
    if context.scope == "merge-editor":
        words += ["hunk", "ours", "theirs", "both"]
    return ", ".join(dict.fromkeys(words))
