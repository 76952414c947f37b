"""Token usage and estimated cost of an agent, read from the transcripts Claude Code writes (Textual-free).

Claude Code appends one JSON object a line to ``<config>/projects/<folder>/<session>.jsonl``, where
``<config>`` is ``$CLAUDE_CONFIG_DIR`` or ``~/.claude`` and ``<folder>`` is the directory the session
started in with every character but ASCII letters and digits replaced by ``-`` (past 200 characters:
the first 200, ``-`` and a base-36 hash of the path). Subagents write ``<session>/subagents/*.jsonl``.
Only ``type: "assistant"`` lines carry ``message.usage``; one API response is written as several lines
(one per content block, ``output_tokens`` growing while it streams) sharing ``message.id``, so each
response is counted once, from its line with the most output. The format is internal to Claude Code:
anything unexpected is skipped, never raised.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError


@dataclass(frozen=True)
class ModelPrice:
    """List prices in US dollars per million tokens (cache_write is the 5-minute write)."""

    input: float
    output: float
    cache_write: float
    cache_read: float


def _each(prefixes: str, price: ModelPrice) -> dict[str, ModelPrice]:
    return dict.fromkeys(prefixes.split(), price)


# Anthropic list prices (platform.claude.com/docs/en/about-claude/pricing and the model overview pages),
# checked 2026-12-01. Keys are model-name prefixes; the longest matching prefix wins. Not modelled:
# Haiku 5.5's dearer band for prompts over 100k tokens, long-context surcharges, batch and fast mode.
DEFAULT_PRICES: Mapping[str, ModelPrice] = {
    **_each("claude-fable-5 claude-mythos-5", ModelPrice(10, 50, 12.5, 1)),
    **_each("claude-fable-5-1 claude-mythos-5-1", ModelPrice(10, 50, 12.5, 0.25)),
    **_each("claude-opus-4 claude-3-opus", ModelPrice(15, 75, 18.75, 1.5)),  # Opus 4 and 4.1
    **_each("claude-opus-4-5 claude-opus-4-6 claude-opus-4-7 claude-opus-4-8", ModelPrice(5, 25, 6.25, 0.5)),
    "claude-opus-5": ModelPrice(5, 25, 6.25, 0.5),
    "claude-opus-5-5": ModelPrice(4, 20, 5, 0.2),
    **_each("claude-sonnet-4 claude-3-7-sonnet claude-3-5-sonnet", ModelPrice(3, 15, 3.75, 0.3)),
    "claude-sonnet-5": ModelPrice(2, 10, 2.5, 0.2),
    "claude-sonnet-5-5": ModelPrice(2, 10, 2.5, 0.1),  # cache reads cut on 2026-10-07
    "claude-haiku-5-5": ModelPrice(0.1, 0.5, 0.125, 0.01),
    "claude-haiku-4": ModelPrice(1, 5, 1.25, 0.1),
    "claude-3-5-haiku": ModelPrice(0.8, 4, 1, 0.08),
    "claude-3-haiku": ModelPrice(0.25, 1.25, 0.3, 0.03),
}
_ONE_HOUR_WRITE = 1.6  # a 1-hour cache write costs 2x input, the 5-minute one 1.25x
_PRICE_FIELDS = tuple(f.name for f in fields(ModelPrice))


@dataclass(frozen=True)
class Usage:
    """Tokens and estimated cost of one agent (or, added up, of several)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float = 0.0
    """The priced part: tokens of unpriced models add nothing."""
    unpriced_models: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    sessions: int = 0
    messages: int = 0
    first: datetime | None = None
    last: datetime | None = None

    @property
    def total_tokens(self) -> int:
        """All four kinds of tokens together."""
        return self.input_tokens + self.output_tokens + self.cache_write_tokens + self.cache_read_tokens

    def __add__(self, other: object) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        summed = {f: getattr(self, f) + getattr(other, f) for f in _SUMMED}
        merged = {
            f: tuple(sorted({*getattr(self, f), *getattr(other, f)})) for f in ("unpriced_models", "models")
        }
        firsts = [t for t in (self.first, other.first) if t is not None]
        lasts = [t for t in (self.last, other.last) if t is not None]
        return Usage(**summed, **merged, first=min(firsts, default=None), last=max(lasts, default=None))

    def __radd__(self, other: object) -> Usage:
        """So ``sum(usages)`` works: it starts from 0."""
        return self if other == 0 else self.__add__(other)


_SUMMED = [f.name for f in fields(Usage) if f.type in ("int", "float")]  # the counts and the cost


def parse_prices(data: Mapping[str, Any], source: str) -> dict[str, ModelPrice]:
    """Prices from a config table ``{model-prefix = {input, output, cache_write, cache_read}}`` ($/MTok)."""
    if not isinstance(data, Mapping):
        raise CdevError(f"{source}: prices must be a table of model names, got {data!r}")
    prices: dict[str, ModelPrice] = {}
    for model, table in data.items():
        if not isinstance(model, str) or not model.strip():
            raise CdevError(f"{source}: prices: model name {model!r} must be non-empty text")
        if not isinstance(table, Mapping):
            raise CdevError(f"{source}: prices for {model!r} must be a table of {', '.join(_PRICE_FIELDS)}")
        if unknown := [name for name in table if name not in _PRICE_FIELDS]:
            raise CdevError(f"{source}: prices for {model!r}: unknown field {unknown[0]!r}")
        values: dict[str, float] = {}
        for name in _PRICE_FIELDS:
            value = table.get(name)
            if not _is_number(value) or value < 0:
                got = "nothing" if value is None else repr(value)
                raise CdevError(
                    f"{source}: prices for {model!r}: {name} must be a number >= 0 (dollars per million tokens), got {got}"
                )
            values[name] = float(value)
        prices[model] = ModelPrice(**values)
    return prices


def claude_projects_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where Claude Code keeps its transcripts: ``$CLAUDE_CONFIG_DIR/projects`` or ``~/.claude/projects``."""
    env = os.environ if env is None else env
    if config := env.get("CLAUDE_CONFIG_DIR"):
        return Path(config).expanduser() / "projects"
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".claude" / "projects"


def _folder_name(path: str) -> str:
    # Claude Code works on UTF-16 code units: a character outside the BMP becomes two dashes.
    name = re.sub(r"[^A-Za-z0-9]", lambda m: "-" * (1 + (ord(m.group()) > 0xFFFF)), path)
    if len(name) <= 200:
        return name
    units = path.encode("utf-16-le")
    digest = 0
    for i in range(0, len(units), 2):  # Java-style string hash, wrapped to 32 bits like JavaScript's `| 0`
        digest = (digest * 31 + int.from_bytes(units[i : i + 2], "little")) & 0xFFFFFFFF
    return f"{name[:200]}-{_base36(abs(digest - (1 << 32) if digest >= 1 << 31 else digest))}"


def _base36(number: int) -> str:
    head, digit = divmod(number, 36)
    return (_base36(head) if head else "") + "0123456789abcdefghijklmnopqrstuvwxyz"[digit]


def claude_project_folder(worktree: Path, env: Mapping[str, str] | None = None) -> Path:
    """The transcript folder of sessions started in ``worktree``."""
    return claude_projects_dir(env) / _folder_name(str(Path(worktree).absolute()))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _count(value: Any) -> int:
    return int(value) if _is_number(value) and value > 0 else 0


@dataclass
class _Entry:
    """What is kept of one API response: its numbers, never its content."""

    model: str
    tokens: tuple[int, int, int, int, int]  # input, output, cache write (all), of it 1-hour, cache read
    session: str
    when: datetime | None


@dataclass
class _State:
    offsets: dict[Path, int] = field(default_factory=dict)
    entries: dict[object, _Entry] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)


class UsageReader:
    """Incremental: keeps per-file byte offsets and seen message keys, so reading again only parses
    appended lines (transcripts grow to many MB). Thread-safe enough for one worker.

    A worktree's usage is every line of its own transcript folder (sessions started there, wherever their
    shell went), plus the lines of folders of its subfolders (sessions started below it) whose ``cwd`` is
    inside the worktree; the ``cwd`` test keeps out sibling worktrees whose folder names share the prefix.
    """

    def __init__(self, prices: Mapping[str, ModelPrice] | None = None, env: Mapping[str, str] | None = None):
        self._prices = DEFAULT_PRICES if prices is None else prices
        self._env = env
        self._states: dict[str, _State] = {}
        self._lock = threading.Lock()

    def price_for(self, model: str) -> ModelPrice | None:
        """The price of the longest matching prefix (``us.anthropic.claude-…`` is matched from ``claude-``)."""
        name = model[model.find("claude-") :] if "claude-" in model else model
        key = max((k for k in self._prices if name.startswith(k)), key=len, default=None)
        return None if key is None else self._prices[key]

    def read(self, worktree: Path) -> Usage:
        """Usage of every transcript of ``worktree``; a missing folder is zero usage."""
        paths = {os.path.abspath(worktree), os.path.realpath(worktree)}
        with self._lock:
            state = self._states.setdefault(min(paths), _State())
            changed = False
            for folder, only_inside in self._folders(paths):
                files = [*folder.glob("*.jsonl"), *folder.glob("*/subagents/*.jsonl")]
                for path in sorted(files):
                    changed |= self._scan(state, path, paths if only_inside else None)
            if changed:
                state.usage = self._total(state)
            return state.usage

    def _folders(self, paths: set[str]) -> list[tuple[Path, bool]]:
        root = claude_projects_dir(self._env)
        exact = {_folder_name(p) for p in paths}
        prefixes = tuple(f"{n[:200]}-" for n in exact)
        try:
            names = sorted(e.name for e in os.scandir(root) if e.is_dir())
        except OSError:
            return []
        return [(root / n, n not in exact) for n in names if n in exact or n.startswith(prefixes)]

    def _scan(self, state: _State, path: Path, inside: set[str] | None) -> bool:
        offset = state.offsets.get(path, 0)
        try:
            size = path.stat().st_size
            if size < offset:  # rewritten shorter: read again; message keys keep it from counting twice
                offset = 0
            if size == offset:
                return False
            with path.open("rb") as fh:
                fh.seek(offset)
                for raw in fh:
                    if not raw.endswith(b"\n"):
                        break  # a line being written: read it next time
                    if b'"usage"' in raw and b'"assistant"' in raw:
                        self._take(state, raw, path, offset, inside)
                    offset += len(raw)
        except OSError:
            pass
        state.offsets[path] = offset
        return True

    def _take(self, state: _State, raw: bytes, path: Path, offset: int, inside: set[str] | None) -> None:
        try:
            line = json.loads(raw)
        except ValueError:
            return
        message = line.get("message") if isinstance(line, dict) and line.get("type") == "assistant" else None
        usage = message.get("usage") if isinstance(message, dict) else None
        if not isinstance(usage, dict) or message.get("model") == "<synthetic>":
            return
        if inside is not None:
            cwd = line.get("cwd")
            if not isinstance(cwd, str) or not any(cwd == p or cwd.startswith(p + os.sep) for p in inside):
                return
        write = _count(usage.get("cache_creation_input_tokens"))
        split = usage.get("cache_creation")
        hour = min(write, _count(split.get("ephemeral_1h_input_tokens"))) if isinstance(split, dict) else 0
        tokens = (_count(usage.get("input_tokens")), _count(usage.get("output_tokens")), write, hour)
        tokens += (_count(usage.get("cache_read_input_tokens")),)
        if not any(tokens):
            return
        # message.id names one API response; requestId is the same on all its lines, and sometimes missing.
        ident = message.get("id") or line.get("requestId")
        key = ident if isinstance(ident, str) else (str(path), offset)
        old = state.entries.get(key)
        if old is not None and old.tokens[1] >= tokens[1]:
            return  # a copy, or an earlier snapshot of a response already counted with more output
        try:
            when: datetime | None = datetime.fromisoformat(line["timestamp"])
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
        except (KeyError, TypeError, ValueError):
            when = None
        model = message.get("model") if isinstance(message.get("model"), str) else "unknown"
        session = line.get("sessionId") if isinstance(line.get("sessionId"), str) else path.stem
        state.entries[key] = _Entry(model, tokens, session, when)

    def _cost(self, entry: _Entry) -> float:
        price = self.price_for(entry.model)
        if price is None:
            return 0.0
        inp, out, write, hour, read = entry.tokens
        write_cost = (write + hour * (_ONE_HOUR_WRITE - 1)) * price.cache_write
        return (inp * price.input + out * price.output + write_cost + read * price.cache_read) / 1e6

    def _total(self, state: _State) -> Usage:
        entries = list(state.entries.values())
        columns = [sum(column) for column in zip(*(e.tokens for e in entries), strict=True)] or [0] * 5
        times = [e.when for e in entries if e.when is not None]
        return Usage(
            *columns[:3],
            columns[4],
            sum(self._cost(e) for e in entries),
            tuple(sorted({e.model for e in entries if self.price_for(e.model) is None})),
            tuple(sorted({e.model for e in entries})),
            len({e.session for e in entries}),
            len(entries),
            min(times, default=None),
            max(times, default=None),
        )
