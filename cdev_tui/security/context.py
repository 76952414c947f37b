"""The lines around a finding, for the detail view: masked, unless the user asked to reveal the finding's line."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from cdev_tui.security.engine import line_masked, mask_at, mask_secret
from cdev_tui.security.model import Finding
from cdev_tui.security.ruleset import DEFAULT_RULESET, RuleSet

MAX_SHOWN = 240
"""Characters of one line shown (minified files hold megabyte lines); the finding's column stays in view."""


@dataclass(frozen=True)
class ContextLine:
    """One line of a file near a finding."""

    number: int  # 1-based
    text: str
    is_finding: bool = False


def finding_context(
    root: Path,
    finding: Finding,
    ruleset: RuleSet = DEFAULT_RULESET,
    *,
    radius: int = 2,
    reveal: bool = False,
) -> list[ContextLine]:
    """Lines ``finding.line - radius`` to ``finding.line + radius`` of the finding's file, every secret on
    them masked; with ``reveal`` the finding's own line is shown as written. Empty when the file is gone."""
    first = max(1, finding.line - radius)
    block = any(rule.block for rule in ruleset.rules if rule.id == finding.rule_id)
    try:
        with (root / finding.path).open(encoding="utf-8", errors="replace", newline="") as handle:
            window = list(itertools.islice(handle, first - 1, finding.line + radius))
    except OSError:
        return []
    lines: list[ContextLine] = []
    in_block = False
    for number, raw in enumerate(window, start=first):
        text = raw.rstrip("\r\n")
        here = number == finding.line
        if block and number > finding.line and "-----END" not in text:
            in_block = in_block or number == finding.line + 1
        else:
            in_block = False
        if here and reveal:
            shown = text
        elif in_block and text.strip():
            shown = text[: len(text) - len(text.lstrip())] + mask_secret(text.strip())
        else:
            shown = line_masked(text, ruleset)
            if here and shown == text:  # a name/value pair: the value's line says nothing secret alone
                shown = mask_at(text, finding.column)
        lines.append(ContextLine(number, _clip(shown, finding.column if here else 1), here))
    return lines


def _clip(text: str, column: int) -> str:
    """At most :data:`MAX_SHOWN` characters of ``text``, keeping ``column`` in view."""
    if len(text) <= MAX_SHOWN:
        return text
    start = max(0, min(column - 1 - MAX_SHOWN // 3, len(text) - MAX_SHOWN))
    return (
        ("…" if start else "")
        + text[start : start + MAX_SHOWN]
        + ("…" if start + MAX_SHOWN < len(text) else "")
    )
