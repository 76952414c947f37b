"""Program profiles: which command runs an agent, how it takes its first prompt, how its screen reads.

Built-in profiles cover the common agent CLIs; ``[programs.NAME]`` tables in the config add or override them.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cdev_tui.errors import CdevError

PROMPT_MODES = ("argument", "typed", "none")
"""How a program takes its first prompt: as its last argument (after ``prompt_flag``), typed into it once it
waits for input, or not at all."""


@dataclass(frozen=True)
class ProgramProfile:
    """One agent program and what cdev-tui knows about its screen."""

    name: str
    command: str
    prompt: str = "argument"
    prompt_flag: str = ""
    """Put before the prompt argument (``-i`` for gemini); empty: the prompt is a bare argument."""
    waiting_patterns: tuple[str, ...] = ()
    """Regular expressions that, on the bottom of a quiet screen, mean it asks the user something."""
    idle_patterns: tuple[str, ...] = ()
    """Regular expressions that, on the bottom of a quiet screen, mean it is done and idle at its prompt."""
    working_patterns: tuple[str, ...] = ()
    """Regular expressions that mean it is working even when the screen is still (a "esc to interrupt")."""
    status_file: str = ""
    """A file in the worktree the program (or its hooks) writes its state to: working, waiting or idle."""
    transcripts: str = ""
    """Where it records usage locally: ``claude`` (Claude Code's JSONL transcripts) or empty."""
    hooks: str = ""
    """Hooks cdev-tui hands the program so it tells its own state: ``claude`` (Claude Code's ``--settings``
    with hooks that write working, waiting or idle to ``$CDEV_AGENT_STATE``) or empty."""
    compiled: tuple[tuple[re.Pattern[str], ...], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        groups = (self.waiting_patterns, self.idle_patterns, self.working_patterns)
        object.__setattr__(self, "compiled", tuple(tuple(re.compile(p, re.M) for p in g) for g in groups))

    def argv(self, prompt: str = "") -> list[str]:
        """The command as an argv, with the first prompt when the program takes it as an argument."""
        argv = split_command(self.command, f"programs.{self.name}.command")
        if self.hooks == "claude":
            argv += ["--settings", CLAUDE_HOOKS]
        if prompt and self.prompt == "argument":
            argv += [self.prompt_flag, prompt] if self.prompt_flag else [prompt]
        return argv


def split_command(command: str, setting: str) -> list[str]:
    """A command line split like a shell would; a one-line error naming the setting when it cannot be."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CdevError(f"{setting} {command!r}: {exc}") from None
    if not argv:
        raise CdevError(f"{setting} is empty")
    return argv


def _claude_hooks() -> str:
    """Claude Code settings whose hooks write its state where cdev-tui reads it (no file in the worktree)."""

    def write(state: str, matcher: str | None = None) -> dict[str, object]:
        hook = {"type": "command", "command": f'printf {state} > "$CDEV_AGENT_STATE"'}
        group: dict[str, object] = {"hooks": [hook]}
        if matcher is not None:
            group["matcher"] = matcher
        return group

    hooks = {
        "UserPromptSubmit": [write("working")],
        "PreToolUse": [write("working", "*")],
        "Notification": [write("waiting", "permission_prompt"), write("idle", "idle_prompt")],
        "Stop": [write("idle")],
    }
    return json.dumps({"hooks": hooks}, separators=(",", ":"))


CLAUDE_HOOKS = _claude_hooks()

DEMO_AGENT = f"{shlex.quote(sys.executable)} -m cdev_tui.sessions.demo_agent"

BUILTIN_PROFILES: Mapping[str, ProgramProfile] = {
    profile.name: profile
    for profile in (
        ProgramProfile(
            "claude",
            "claude",
            waiting_patterns=(r"Do you want to", r"❯ 1\. Yes", r"Would you like to proceed"),
            working_patterns=(r"esc to interrupt",),
            transcripts="claude",
            hooks="claude",
        ),
        ProgramProfile(
            "codex",
            "codex",
            waiting_patterns=(r"Allow command\?", r"\[y/N\]", r"Would you like to run"),
            working_patterns=(r"esc to interrupt", r"Esc to interrupt"),
        ),
        ProgramProfile(
            "gemini",
            "gemini",
            prompt_flag="-i",
            waiting_patterns=(r"Allow execution", r"Apply this change\?", r"● 1\. Yes"),
            working_patterns=(r"esc to cancel",),
        ),
        ProgramProfile("aider", "aider", prompt="typed", waiting_patterns=(r"\(Y\)es/\(N\)o",)),
        ProgramProfile("opencode", "opencode", prompt_flag="--prompt", working_patterns=(r"esc interrupt",)),
        ProgramProfile(
            "demo",
            DEMO_AGENT,
            waiting_patterns=(r"\[y/n\]\s*$", r"^\s*Choose 1-\d"),
            idle_patterns=(r"Waiting for the next instruction",),
        ),
    )
}
"""The profiles known without any configuration; ``demo`` is cdev-tui's scripted stand-in agent."""

_LIST_FIELDS = ("waiting_patterns", "idle_patterns", "working_patterns")
_STR_FIELDS = ("command", "prompt", "prompt_flag", "status_file", "transcripts", "hooks")


def parse_programs(data: Any, source: str) -> dict[str, ProgramProfile]:
    """``[programs.NAME]`` tables: each overrides the built-in profile of that name or defines a new one."""
    if not isinstance(data, Mapping):
        raise CdevError(f"{source}: programs must be a table of [programs.NAME] tables")
    profiles: dict[str, ProgramProfile] = {}
    for name, table in data.items():
        where = f"{source}: programs.{name}"
        if not isinstance(table, Mapping):
            raise CdevError(f"{where} must be a table (command = ...)")
        unknown = set(table) - set(_LIST_FIELDS) - set(_STR_FIELDS)
        if unknown:
            known = ", ".join((*_STR_FIELDS, *_LIST_FIELDS))
            raise CdevError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: {known})")
        base = BUILTIN_PROFILES.get(name)
        if base is None and "command" not in table:
            raise CdevError(f"{where}: command is missing")
        changes: dict[str, Any] = {}
        for key, value in table.items():
            if key in _STR_FIELDS:
                if not isinstance(value, str) or (key == "command" and not value.strip()):
                    raise CdevError(
                        f"{where}.{key} must be a {'non-empty ' if key == 'command' else ''}string"
                    )
                changes[key] = value.strip()
            else:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise CdevError(f"{where}.{key} must be a list of regular expressions")
                for pattern in value:
                    try:
                        re.compile(pattern)
                    except re.error as exc:
                        raise CdevError(f"{where}.{key}: bad regular expression {pattern!r}: {exc}") from None
                changes[key] = tuple(value)
        if changes.get("prompt", "argument") not in PROMPT_MODES:
            raise CdevError(f"{where}.prompt must be one of {', '.join(PROMPT_MODES)}")
        profile = replace(base, **changes) if base else ProgramProfile(name=name, **changes)
        split_command(profile.command, f"{where}.command")
        profiles[name] = profile
    return profiles


def profile_for(name: str, programs: Mapping[str, ProgramProfile]) -> ProgramProfile:
    """The profile called ``name`` (configured first, then built in); a clear error naming the known ones."""
    if name in programs:
        return programs[name]
    if name in BUILTIN_PROFILES:
        return BUILTIN_PROFILES[name]
    known = ", ".join(sorted({*programs, *BUILTIN_PROFILES}))
    raise CdevError(
        f"unknown program {name!r} (known: {known}; add [programs.{name}] command = ... to the config)"
    )
