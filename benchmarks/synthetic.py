"""Synthetic source code for the benchmarks: plausible Python lines from a seeded random generator."""

from __future__ import annotations

import random

WORDS = [
    "worktree",
    "agent",
    "branch",
    "merge",
    "rebase",
    "session",
    "prompt",
    "diff",
    "review",
    "commit",
    "retry",
    "timeout",
    "config",
    "parse",
    "render",
    "widget",
    "screen",
    "store",
    "cache",
    "index",
    "token",
    "stream",
    "buffer",
    "cursor",
    "layout",
    "update",
    "refresh",
    "status",
]


def code_line(rng: random.Random, shapes: int = 9) -> str:
    """One plausible line of Python source; with more ``shapes``, blank and stock lines repeat as in real code."""
    indent = "    " * rng.randint(0, 3)
    a, b, c = rng.sample(WORDS, 3)
    shape = rng.randrange(shapes)
    if shape == 0:
        return ""
    if shape == 1:
        return f"{indent}{a}_{b} = self.{c}({a}, timeout={rng.randint(1, 120)})"
    if shape == 2:
        return f"{indent}if {a}.{b} is not None and {c} > {rng.randint(0, 99)}:"
    if shape == 3:
        return f"{indent}# {a} the {b} before the {c} is refreshed"
    if shape == 4:
        return f'{indent}return {{"{a}": {b}, "{c}": [{rng.randint(0, 9)}, {rng.randint(10, 99)}]}}'
    if shape == 5:
        return f"{indent}def {a}_{b}(self, {c}: str) -> None:"
    if shape == 6:
        return rng.choice(["        return None", "    else:", "        pass", "    )", "]"])
    if shape == 7:
        return f'{indent}"""{a.title()} the {b} of this {c}."""'
    return f"{indent}self.{a}.{b}.append({c})"
